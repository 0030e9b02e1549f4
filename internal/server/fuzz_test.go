package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzLetterAPI: whatever body arrives at POST /api/v1/letters, the answer
// is a deliberate one (stored, refused with reasons, or a duplicate), never
// a server error, and errors are JSON.
func FuzzLetterAPI(f *testing.F) {
	f.Add(`{"campaign":"jackson-vanik","recipients":["G000599"],"prefix":"Mx.","first_name":"A","last_name":"B","address1":"12 Orchard Street","city":"New York","state":"NY","zip":"10002","email":"a@example.org","consent":true}`)
	f.Add(`{"campaign":"jackson-vanik","recipients":"G000599"}`)
	f.Add(`{"consent":"yes","lat":"x","lon":[1]}`)
	f.Add(`[]`)
	f.Add(`{"campaign":"jackson-vanik","zip":"10025","district":"NY-99","recipients":["G000599","G000599","G000599","G000599"]}`)
	f.Add(`{"a":1}{"b":2}`)
	f.Add(strings.Repeat(`{"x":`, 2000))
	e := newEnv(f, letterFlow())
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/letters", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusCreated, http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusConflict,
			http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code != http.StatusCreated && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("error answer is %s, not JSON", rec.Header().Get("Content-Type"))
		}
	})
}

// FuzzLetterForm: the letter form's preview never fails with a server error,
// whatever the fields hold.
func FuzzLetterForm(f *testing.F) {
	f.Add("Ms.", "Ada", "10002", "NY", "ada@example.org", "G000599", "", "true")
	f.Add("", "", "", "", "", "", "NY-13", "")
	f.Add("Dr.\x00", "<script>", "1000", "N", "@", "X", "NY-\u00a0", "on")
	e := newEnv(f, letterFlow())
	f.Fuzz(func(t *testing.T, prefix, first, zip, state, email, recipient, district, consent string) {
		form := url.Values{"campaign": {"jackson-vanik"}, "lookup_zip": {"10002"}, "district": {district},
			"prefix": {prefix}, "first_name": {first}, "last_name": {"Lovelace"}, "address1": {"12 Orchard Street"},
			"city": {"New York"}, "state": {state}, "zip": {zip}, "email": {email}, "recipients": {recipient},
			"consent": {consent}}
		rec := e.post(t, "/write/preview", form, false)
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}
