package http

import (
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// decodeTestRequest exercises every kind of field the decoder knows.
type decodeTestRequest struct {
	ID     string   `path:"case_id,notfound" max:"MaxCaseIDLength"`
	Name   string   `query:"name" max:"4"`
	Words  []string `query:"w,words" min:"1" max:"3" items:"3"`
	List   []string `query:"l,comma" items:"2"`
	Ints   []int    `query:"i,comma" min:"0" max:"5"`
	Offset int      `query:"offset" min:"0" max:"10"`
	Limit  int      `query:"limit" min:"1" max:"10" default:"DefaultPageLimit"`
	Status *int     `query:"status" min:"0" max:"3"`
	Header string   `header:"X-Thing" max:"2"`
	Body   struct {
		Text  string     `json:"text" max:"3"`
		Items stringList `json:"items" items:"2" min:"1" max:"2"`
		Sub   *struct {
			N *int64 `json:"n" required:"true" min:"1" max:"9"`
		} `json:"sub"`
		Millis *int64 `json:"ms" min:"0" max:"MaxInt64" unit:"epoch milliseconds"`
	} `body:"json"`
}

func decodeTest(t *testing.T, target, body string, headers ...string) (decodeTestRequest, error) {
	t.Helper()
	r := httptest.NewRequest("POST", target, strings.NewReader(body))
	r.SetPathValue("case_id", "c1")
	if strings.Contains(target, "/long") {
		r.SetPathValue("case_id", strings.Repeat("c", casebook.MaxCaseIDLength+1))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	var req decodeTestRequest
	err := decode(r, &req)
	return req, err
}

func TestDecode(t *testing.T) {
	t.Run("forms", func(t *testing.T) {
		req, err := decodeTest(t, "/x?name=abcd&w=a+bb&w=ccc&l=x,,y&i=1,%202&i=3&offset=+7+&status=&limit=", `{"text":"abc","items":"ab","sub":{"n":9},"ms":0}`, "X-Thing", " ok ")
		if err != nil {
			t.Fatal(err)
		}
		want := decodeTestRequest{ID: "c1", Name: "abcd", Words: []string{"a", "bb", "ccc"}, List: []string{"x", "y"},
			Ints: []int{1, 2, 3}, Offset: 7, Limit: casebook.DefaultPageLimit, Header: "ok"}
		got := req
		got.Body = want.Body
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
		if req.Body.Text != "abc" || !slices.Equal(req.Body.Items, stringList{"ab"}) || *req.Body.Sub.N != 9 || *req.Body.Millis != 0 {
			t.Errorf("body = %+v", req.Body)
		}
	})
	t.Run("bare and absent", func(t *testing.T) {
		req, err := decodeTest(t, "/x?name&status&limit=5", "")
		if err != nil || req.Name != "" || req.Status != nil || req.Limit != 5 || req.Words != nil {
			t.Fatalf("req %+v, err %v", req, err)
		}
	})
	t.Run("at the bounds", func(t *testing.T) {
		req, err := decodeTest(t, "/x?offset=10&limit=1&status=3&i=0,5&l=a,b", `{"items":["ab","cd"],"sub":{"n":1},"ms":9223372036854775807}`, "X-Thing", "ab")
		if err != nil || req.Offset != 10 || req.Limit != 1 || *req.Status != 3 {
			t.Fatalf("req %+v, err %v", req, err)
		}
	})
	for _, tc := range []struct{ target, body, header, want string }{
		{"/x?name=abcde", "", "", "name must be at most 4 characters."},
		{"/x?w=abcd", "", "", "w must be 1 to 3 characters."},
		{"/x?w=a+b&w=c+d", "", "", "w may hold at most 3 items."},
		{"/x?l=a,b,c", "", "", "l may hold at most 2 items."},
		{"/x?i=6", "", "", "i must be an integer from 0 to 5."},
		{"/x?i=x", "", "", "i must be an integer from 0 to 5."},
		{"/x?offset=11", "", "", "offset must be an integer from 0 to 10."},
		{"/x?offset=-1", "", "", "offset must be an integer from 0 to 10."},
		{"/x?offset=1.5", "", "", "offset must be an integer from 0 to 10."},
		{"/x?limit=0", "", "", "limit must be an integer from 1 to 10."},
		{"/x?status=4", "", "", "status must be an integer from 0 to 3."},
		{"/x", "", "abc", "x-thing must be at most 2 characters."},
		{"/x", `{"text":"abcd"}`, "", "text must be at most 3 characters."},
		{"/x", `{"items":["a","b","c"]}`, "", "items may hold at most 2 items."},
		{"/x", `{"items":["abc"]}`, "", "items must be 1 to 2 characters."},
		{"/x", `{"sub":{}}`, "", "n is required."},
		{"/x", `{"sub":{"n":10}}`, "", "n must be an integer from 1 to 9."},
		{"/x", `{"ms":-1}`, "", "ms must be epoch milliseconds from 0 to 9223372036854775807."},
		{"/x", `{"text":5}`, "", "text must be of type string, not number."},
	} {
		_, err := decodeTest(t, tc.target, tc.body, "X-Thing", tc.header)
		if casebook.ErrorCode(err) != casebook.EINVALID || casebook.ErrorMessage(err) != tc.want {
			t.Errorf("%s %s: err %v, want %q", tc.target, tc.body, err, tc.want)
		}
	}
	t.Run("path out of bounds", func(t *testing.T) {
		_, err := decodeTest(t, "/long", "")
		if casebook.ErrorReason(err) != casebook.ReasonCaseNotFound {
			t.Fatalf("err %v, want the ticket not found", err)
		}
	})
	t.Run("malformed body", func(t *testing.T) {
		_, err := decodeTest(t, "/x", "{")
		if casebook.ErrorReason(err) != reasonMalformed {
			t.Fatalf("err %v, want malformed", err)
		}
	})
}

// TestDecodeSpecs builds the spec of every request type: a tag naming an
// unknown limit, option or field type would panic here rather than in a
// request.
func TestDecodeSpecs(t *testing.T) {
	for _, v := range []any{
		createCaseRequest{}, listCasesRequest{}, caseRequest{}, updateCaseRequest{}, createMessageRequest{},
		casePageRequest{}, createRelationsRequest{}, deleteRelationRequest{}, authorizationRequest{},
		listAuthorizationsRequest{}, confirmRequest{}, updateAuthorizationRequest{}, downloadRequest{},
		accessUrlsRequest{}, supportCaseRequest{}, supportAuthorizationRequest{}, supportQueueRequest{},
		supportGrantRequest{},
	} {
		if spec := specFor(reflect.TypeOf(v)); len(spec.fields) == 0 {
			t.Errorf("%T: no fields", v)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("an unknown limit name did not panic")
		}
	}()
	specFor(reflect.TypeOf(struct {
		X string `query:"x" max:"NoSuchLimit"`
	}{}))
}

// TestDecodeSpecsUnsupportedQueryType: a query field of a type decode
// cannot fill panics when the spec is built, not in a request.
func TestDecodeSpecsUnsupportedQueryType(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a float64 query field did not panic")
		}
	}()
	specFor(reflect.TypeOf(struct {
		X float64 `query:"x"`
	}{}))
}
