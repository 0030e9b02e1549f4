package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// letterAPIMaxBody bounds a JSON letter: the longest fields fit many times.
const letterAPIMaxBody = 64 << 10

// letterJSON is the body of POST /api/v1/letters: the form's fields in
// snake_case, plus how the district was settled. With lat and lon the
// district is the one containing the point; otherwise it comes from zip,
// and district ("NY-12") picks among the districts of a split ZIP.
type letterJSON struct {
	advocacy.LetterInput
	District string   `json:"district"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
}

// letterCreatedJSON answers a stored letter.
type letterCreatedJSON struct {
	LetterID     string               `json:"letter_id"`
	StatusURL    string               `json:"status_url"`
	Deliveries   []deliveryStatusJSON `json:"deliveries"`
	AlreadyWrote []string             `json:"already_wrote"`
}

type deliveryStatusJSON struct {
	BioguideID string `json:"bioguide_id"`
	Office     string `json:"office"`
	Channel    string `json:"channel"`
	Status     string `json:"status"`
}

// duplicateJSON answers a letter whose every recipient was a duplicate.
type duplicateJSON struct {
	Error        string   `json:"error"`
	AlreadyWrote []string `json:"already_wrote"`
}

// badRequest is a 400 for a body the API cannot read.
func badRequest(msg string) error { return echo.NewHTTPError(http.StatusBadRequest, msg) }

// decodeLetterJSON reads the body strictly: JSON only, known fields only,
// one object, at most letterAPIMaxBody bytes.
func decodeLetterJSON(c echo.Context) (letterJSON, error) {
	var body letterJSON
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return body, badRequest("Send the letter as JSON with Content-Type: application/json.")
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request().Body, letterAPIMaxBody+1))
	if err != nil {
		return body, badRequest("We could not read the request body.")
	}
	if len(raw) > letterAPIMaxBody {
		return body, echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	// encoding/json would quietly turn both into U+FFFD: refuse them, so
	// that what is stored is what was sent.
	if !utf8.Valid(raw) {
		return body, badRequest("The body is not valid UTF-8.")
	}
	if loneSurrogate(raw) {
		return body, badRequest(`The body has a \u escape of half a UTF-16 surrogate pair, which is no character.`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return body, badRequest(fmt.Sprintf("The field %q has the wrong type.", te.Field))
		case errors.As(err, &se), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return body, badRequest("The body is not valid JSON.")
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return body, badRequest("Unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + ".")
		}
		return body, badRequest("The body is not a valid letter.")
	}
	if dec.More() {
		return body, badRequest("Send one JSON object.")
	}
	return body, nil
}

// loneSurrogate reports a \uD800-\uDFFF escape in a JSON text that is not
// a high surrogate followed at once by a low one.
func loneSurrogate(raw []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+4 > len(raw) {
			return 0, false
		}
		v, err := strconv.ParseUint(string(raw[i:i+4]), 16, 16)
		return rune(v), err == nil
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // an escaped character, perhaps a backslash
			continue
		}
		r, ok := hex4(i + 2)
		if !ok {
			return false // the decoder reports the malformed escape
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		case r >= 0xD800 && r <= 0xDBFF:
			j := i + 6
			if j+1 >= len(raw) || raw[j] != '\\' || raw[j+1] != 'u' {
				return true
			}
			if lo, ok := hex4(j + 2); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i = j + 5
		default:
			i += 5
		}
	}
	return false
}

// idempotencyToken turns a client's Idempotency-Key into the letter's form
// token. The key is hashed with the sender's email, so two clients who
// happen to choose the same key never meet each other's letters.
func idempotencyToken(key, email string) (string, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return "", nil
	}
	if len(key) > 255 {
		return "", badRequest("The Idempotency-Key header is too long (255 characters at most).")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return "", badRequest("The Idempotency-Key header must be printable ASCII.")
		}
	}
	sum := sha256.Sum256([]byte("whipcount-letter\x00" + key + "\x00" + advocacy.NormalizeEmail(email)))
	return "k" + base64.RawURLEncoding.EncodeToString(sum[:24]), nil
}

// apiInvalid answers 422 with the field errors.
func apiInvalid(c echo.Context, fields map[string]string) error {
	return c.JSON(http.StatusUnprocessableEntity, apiError{Error: "Please correct the fields listed.", Fields: fields})
}

// createLetterAPI serves POST /api/v1/letters: the letter form as JSON,
// with the same rules. 201 with the letter and its deliveries; 422 with
// field errors; 409 when every recipient already got a letter from this
// email in the last 30 days; 400 for a body that is not a JSON letter.
func (ld *letterDesk) createLetterAPI(c echo.Context) error {
	noStore(c)
	ctx := c.Request().Context()
	body, err := decodeLetterJSON(c)
	if err != nil {
		return err
	}
	in := body.LetterInput
	if key := c.Request().Header.Get("Idempotency-Key"); key != "" {
		if in.FormToken, err = idempotencyToken(key, in.Email); err != nil {
			return err
		}
	}

	camp, err := ld.letterCampaign(ctx, strings.TrimSpace(in.Campaign))
	switch {
	case strings.TrimSpace(in.Campaign) == "":
		return apiInvalid(c, map[string]string{"campaign": "Give the campaign's slug."})
	case advocacy.ErrorCode(err) == advocacy.CodeNotFound:
		return apiInvalid(c, map[string]string{"campaign": "This campaign does not exist or is not taking letters."})
	case err != nil:
		return err
	}

	q := settleQuery{zip: in.Zip, district: body.District}
	if body.Lat != nil || body.Lon != nil {
		if body.Lat == nil || body.Lon == nil {
			return apiInvalid(c, map[string]string{"lat": "Give both lat and lon, or neither."})
		}
		q.lat = strconv.FormatFloat(*body.Lat, 'f', -1, 64)
		q.lon = strconv.FormatFloat(*body.Lon, 'f', -1, 64)
	}
	st, err := ld.settle(q)
	var ns errNotSettled
	switch code := advocacy.ErrorCode(err); {
	case errors.As(err, &ns):
		msg := fmt.Sprintf("ZIP %s lies in several districts: give district (like NY-12) or lat and lon.", ns.zip)
		if body.District != "" {
			msg = fmt.Sprintf("District %q is not one of the districts of ZIP %s.", body.District, ns.zip)
		}
		return apiInvalid(c, map[string]string{"district": msg})
	case code == advocacy.CodeInvalid, code == advocacy.CodeNotFound:
		// Report the other fields' problems too, not just the lookup's.
		fields := map[string]string{}
		var de *advocacy.Error
		if _, verr := advocacy.ValidateLetter(in, advocacy.Settlement{}); errors.As(verr, &de) {
			fields = de.Fields
			delete(fields, "recipients")
		}
		errors.As(err, &de)
		if len(de.Fields) == 0 {
			fields["zip"] = de.Message
		}
		for k, v := range de.Fields {
			fields[k] = v
		}
		return apiInvalid(c, fields)
	case err != nil:
		return err
	}

	r := letterRequest{in: in, camp: camp, settle: st, recips: recipientsFor(camp, st.District, ld.clock())}
	errs, err := ld.validate(ctx, &r)
	if err != nil {
		return err
	}
	if errs != nil {
		if msg, ok := errs["form_token"]; ok && c.Request().Header.Get("Idempotency-Key") != "" {
			delete(errs, "form_token")
			errs["idempotency_key"] = msg
		}
		return apiInvalid(c, errs)
	}
	res, err := ld.submit(ctx, r, c.RealIP())
	if advocacy.ErrorCode(err) == advocacy.CodeInvalid {
		var de *advocacy.Error
		errors.As(err, &de)
		return apiInvalid(c, de.Fields)
	}
	if err != nil {
		return err
	}
	if res.Duplicates {
		return c.JSON(http.StatusConflict, duplicateJSON{
			Error:        "This email already wrote to every one of these members in this campaign in the last 30 days; nothing was sent again.",
			AlreadyWrote: res.Created.AlreadyWrote,
		})
	}
	l := res.Created.Letter
	out := letterCreatedJSON{
		LetterID:     l.PublicID,
		StatusURL:    ld.absoluteURL("/letters/" + l.PublicID),
		Deliveries:   []deliveryStatusJSON{},
		AlreadyWrote: []string{},
	}
	out.AlreadyWrote = append(out.AlreadyWrote, res.Created.AlreadyWrote...)
	for _, d := range l.Deliveries {
		out.Deliveries = append(out.Deliveries, deliveryStatusJSON{
			BioguideID: d.BioguideID, Office: d.OfficeCode, Channel: string(d.Channel), Status: string(d.Status),
		})
	}
	c.Response().Header().Set(echo.HeaderLocation, out.StatusURL)
	if res.Created.Existing {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, out)
}
