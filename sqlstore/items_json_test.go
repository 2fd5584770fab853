package sqlstore

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// TestDecodeItems: both engines' forms of the items' JSON, and an error,
// never a zero value, for anything else.
func TestDecodeItems(t *testing.T) {
	host := casebook.AuthDetail{ID: 7, AuthorizationID: "AU1", Type: 1, InstanceID: "i-1", InstanceName: `a"b\c`,
		RegionID: "r", Port: 22, Account: "root", HasCredential: true}
	console := casebook.AuthDetail{ID: 3, AuthorizationID: "AU1", Type: 2, InstanceName: "é😀"}
	for _, tc := range []struct {
		name, in string
		want     []casebook.AuthDetail
	}{
		{"SQLite", `[[7,1,"i-1","a\"b\\c","r",22,"root",1],[3,2,"","\u00e9\ud83d\ude00","",0,"",0]]`, []casebook.AuthDetail{console, host}},
		{"PostgreSQL", "[[7, 1, \"i-1\", \"a\\\"b\\\\c\", \"r\", 22, \"root\", true], \n [3, 2, \"\", \"é😀\", \"\", 0, \"\", false]]", []casebook.AuthDetail{console, host}},
		{"None", `[]`, nil},
		{"NoneSpaced", " [ ] ", nil},
	} {
		got, err := decodeItems(tc.in, "AU1")
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: decodeItems = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []string{
		``, `[`, `[[]]`, `[[7,1,"i-1","n","r",22,"root"]]`, `[[7,1,"i-1","n","r",22,"root",1,9]]`,
		`[[7.5,1,"i-1","n","r",22,"root",1]]`, `[[7,1,2,"n","r",22,"root",1]]`, `[[7,1,"i-1","n","r",22,"root",2]]`,
		`[[7,1,"i-1","n","r",22,"root",null]]`, `[[7,1,"i-1","n","r",22,"root",1]] x`, `[[7,1,"i-1","n` + "\x01" + `","r",22,"root",1]]`,
		`[[7,1,"i-1","n","r",22,"root",1]`, `[[7,1,"i-1","n\q","r",22,"root",1]]`, `[[7,1,"unterminated`,
	} {
		if got, err := decodeItems(bad, "AU1"); err == nil {
			t.Errorf("decodeItems(%q) = %+v, want an error", bad, got)
		} else if !strings.Contains(err.Error(), "authorization items") {
			t.Errorf("decodeItems(%q): %v, want it to name the items", bad, err)
		}
	}
}

// TestDecodeAuthorization: SQLite's JSON array of authorizationColumns,
// with escapes and times not set, and an error for anything else.
func TestDecodeAuthorization(t *testing.T) {
	start, end := time.UnixMilli(1700000000123).UTC(), time.UnixMilli(1700003600456).UTC()
	want := &casebook.Authorization{ID: "AU1", AccountID: "acc", CaseID: "CS1", Status: 1, ResourceTypeID: "rt",
		VisitTypeID: "vt", ContentTypeID: "ct", Describe: `a"b\c`, ContentOfAuthLetter: "é😀", EngineerID: "e1",
		EngineerName: "Eve", HandlerID: "u1", HandlerName: "Ann", AgencyID: "ag", AgencyName: "ag", RejectReason: "",
		EffectiveAt: &start, ExpireAt: &end, CreatedAt: time.UnixMilli(1699999999000).UTC(),
		UpdatedAt: time.UnixMilli(1700000000999).UTC(), CaseDescription: "disk\nfull", CaseCreatorID: "u2", CaseCreatorName: "Bo"}
	row := `["AU1","acc","CS1",1,"rt","vt","ct","a\"b\\c","\u00e9\ud83d\ude00","e1","Eve","u1","Ann","ag","ag","",` +
		`1700000000123,1700003600456,1699999999000,1700000000999,"disk\nfull","u2","Bo"]`
	if got, err := decodeAuthorization(row); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("decodeAuthorization = %+v, %v; want %+v", got, err, want)
	}
	pending := *want
	pending.EffectiveAt, pending.ExpireAt = nil, nil
	spaced := strings.Replace(strings.Replace(row, "1700000000123,1700003600456", " null , null ", 1), `["AU1"`, ` [ "AU1"`, 1)
	if got, err := decodeAuthorization(spaced); err != nil || !reflect.DeepEqual(got, &pending) {
		t.Errorf("decodeAuthorization(no window) = %+v, %v; want %+v", got, err, &pending)
	}
	for _, bad := range []string{
		``, `[]`, row[:len(row)-1], row + ` x`, strings.Replace(row, `"AU1"`, `7`, 1), strings.Replace(row, `,1,"rt"`, `,"1","rt"`, 1),
		strings.Replace(row, "1700000000123", "nul", 1), strings.Replace(row, "1699999999000", "null", 1),
		strings.Replace(row, `,"Bo"]`, `]`, 1), strings.Replace(row, `,"Bo"]`, `,"Bo","x"]`, 1),
	} {
		if got, err := decodeAuthorization(bad); err == nil {
			t.Errorf("decodeAuthorization(%q) = %+v, want an error", bad, got)
		} else if !strings.Contains(err.Error(), "authorization row") {
			t.Errorf("decodeAuthorization(%q): %v, want it to name the row", bad, err)
		}
	}
}
