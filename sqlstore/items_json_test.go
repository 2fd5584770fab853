package sqlstore

import (
	"reflect"
	"strings"
	"testing"

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
