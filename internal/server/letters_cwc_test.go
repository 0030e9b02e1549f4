package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// What CWC cannot take is refused when the letter is sent, naming the
// field in plain words; what can be mended (a unit line like "#2", a
// two-letter company) is accepted and mended when the message is built.
func TestLettersRefuseWhatCWCCannotTake(t *testing.T) {
	e := newEnv(t, letterFlow())
	refused := []struct {
		field, value, words string
	}{
		{"address1", "1A", "full street address"},
		{"city", "NY", "city’s full name"},
		{"personal_message", "Yes!", "at least 6 characters"},
	}
	for _, tc := range refused {
		form := with(validForm(e.formToken(t)), tc.field, tc.value)
		if tc.field == "address1" {
			form = with(form, "address2")
		}
		rec := e.post(t, "/write/send", form, false)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s %q: %d", tc.field, tc.value, rec.Code)
		}
		d := mustDoc(t, rec)
		if msg := d.Find("#letter-" + tc.field + "-error").Text(); !strings.Contains(msg, tc.words) {
			t.Errorf("%s %q: error %q", tc.field, tc.value, msg)
		}
		body := strings.Replace(letterJSONBody("grace@example.org", nadler), `"city":"New York"`, `"city":"New York","address2":""`, 1)
		var m map[string]any
		json.Unmarshal([]byte(body), &m)
		m[tc.field] = tc.value
		b, _ := json.Marshal(m)
		rec = e.postJSON(t, string(b), nil)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `"`+tc.field+`"`) {
			t.Errorf("API %s %q: %d %s", tc.field, tc.value, rec.Code, rec.Body)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 0 {
		t.Fatalf("%d refused letters were stored", n)
	}
	form := with(with(validForm(e.formToken(t)), "address2", "#2"), "organization", "EY")
	if rec := e.post(t, "/write/send", form, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("a short unit line and a two-letter company were refused: %d %s", rec.Code, rec.Body)
	}
}
