package standin

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"
)

// CWC is a stand-in for Communicating with Congress: the House's
// /v2/message and /v2/validate, and the Senate's /api/messages/,
// /api/testing-messages/ and /api/active_offices/, each taking the key in
// the apikey query parameter. It answers as CWC does: 200 "Message
// Accepted" for a message it takes; 400 with <Errors><Error>...</Error>
// </Errors> for one it refuses; 401 for an unknown key; 403 while the
// sender's address is not approved; 503 during an outage; and it can be
// slow or hang. It checks what it can of a message without the grammar
// (well-formed, a CWC root, a DeliveryId of 32 letters and digits, a
// MemberOffice code), so a test sees what the sender really sent.
type CWC struct {
	*httptest.Server

	mu       sync.Mutex
	keys     map[string]bool
	mode     CWCMode
	latency  time.Duration
	clock    func() time.Time
	down     []window
	offices  []CWCOffice
	accepted map[string]int // DeliveryId -> times accepted
	received []CWCReceived
	dupes    bool
	release  chan struct{}
	refuse   map[string]string // MemberOffice -> error text
}

// CWCMode is how the stand-in answers messages.
type CWCMode int

// The stand-in's modes.
const (
	// CWCAccept takes every well-formed message.
	CWCAccept CWCMode = iota
	// CWCUnapproved answers 403: the sender's address is not approved.
	CWCUnapproved
	// CWCDown answers 503, as during maintenance.
	CWCDown
	// CWCHang never answers; requests end when the client gives up.
	CWCHang
)

// CWCOffice is one office of the Senate's active office list.
type CWCOffice struct {
	Code       string
	BioguideID string
	Name       string
}

// CWCReceived is one message the stand-in was sent.
type CWCReceived struct {
	Path, Key, ContentType string
	DeliveryID, Office     string
	Status                 int
	Body                   []byte
}

type window struct{ from, to time.Time }

// NewCWC starts a CWC stand-in that accepts the given API keys. It is
// closed when the test ends.
func NewCWC(t interface{ Cleanup(func()) }, keys ...string) *CWC {
	c := &CWC{keys: map[string]bool{}, accepted: map[string]int{}, release: make(chan struct{}),
		refuse: map[string]string{}}
	for _, k := range keys {
		c.keys[k] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/message", c.message)
	mux.HandleFunc("POST /v2/validate", c.validate)
	mux.HandleFunc("POST /api/messages/", c.message)
	mux.HandleFunc("POST /api/testing-messages/", c.validate)
	mux.HandleFunc("GET /api/active_offices/", c.activeOffices)
	c.Server = httptest.NewServer(mux)
	t.Cleanup(func() {
		c.mu.Lock()
		select {
		case <-c.release:
		default:
			close(c.release)
		}
		c.mu.Unlock()
		c.Close()
	})
	return c
}

// SetMode changes how messages are answered from now on.
func (c *CWC) SetMode(m CWCMode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mode = m
}

// SetKeys replaces the accepted API keys.
func (c *CWC) SetKeys(keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys = map[string]bool{}
	for _, k := range keys {
		c.keys[k] = true
	}
}

// SetLatency makes every answer take d (a slow service).
func (c *CWC) SetLatency(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latency = d
}

// Outage makes the service answer 503 while clock() is in [from, to).
func (c *CWC) Outage(clock func() time.Time, from, to time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock = clock
	c.down = append(c.down, window{from, to})
}

// RejectDuplicates answers 409 to a DeliveryId it accepted before, as the
// Senate does.
func (c *CWC) RejectDuplicates() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dupes = true
}

// Refuse answers 400 with msg to every message for an office.
func (c *CWC) Refuse(office, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse[office] = msg
}

// SetActiveOffices sets the Senate's active office list.
func (c *CWC) SetActiveOffices(offices ...CWCOffice) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offices = offices
}

// Received lists every message request, in order.
func (c *CWC) Received() []CWCReceived {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]CWCReceived(nil), c.received...)
}

// Accepted maps each DeliveryId to how many times it was accepted.
func (c *CWC) Accepted() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.accepted))
	for k, v := range c.accepted {
		out[k] = v
	}
	return out
}

var (
	cwcIDRe     = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	cwcOfficeRe = regexp.MustCompile(`^[HS][A-Z]{2}[0-9]{2}$`)
)

// check reads a message and lists what CWC would refuse in it.
func (c *CWC) check(body []byte) (id, office string, problems []string) {
	var m struct {
		XMLName  xml.Name
		Version  string `xml:"CWCVersion"`
		Delivery struct {
			ID string `xml:"DeliveryId"`
		} `xml:"Delivery"`
		Recipient struct {
			Office string `xml:"MemberOffice"`
		} `xml:"Recipient"`
		Constituent struct {
			Email string `xml:"Email"`
		} `xml:"Constituent"`
	}
	if err := xml.Unmarshal(body, &m); err != nil {
		return "", "", []string{"The message is not well-formed XML."}
	}
	id, office = m.Delivery.ID, m.Recipient.Office
	if m.XMLName.Local != "CWC" || m.Version != "2.0" {
		problems = append(problems, "The root element must be CWC with CWCVersion 2.0.")
	}
	if !cwcIDRe.MatchString(id) {
		problems = append(problems, "DeliveryId must be 32 letters and digits.")
	}
	if !cwcOfficeRe.MatchString(office) {
		problems = append(problems, fmt.Sprintf("MemberOffice %q is not an office code.", office))
	}
	c.mu.Lock()
	msg, refused := c.refuse[office]
	c.mu.Unlock()
	if refused {
		problems = append(problems, msg)
	}
	return id, office, problems
}

// gate answers for the service when it is down, hanging or refusing the
// key, and reports whether the request may go on.
func (c *CWC) gate(w http.ResponseWriter, r *http.Request) (ok bool) {
	c.mu.Lock()
	mode, latency, release := c.mode, c.latency, c.release
	known := c.keys[r.URL.Query().Get("apikey")]
	down := false
	if c.clock != nil {
		now := c.clock()
		for _, win := range c.down {
			down = down || (!now.Before(win.from) && now.Before(win.to))
		}
	}
	c.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return false
		}
	}
	switch {
	case mode == CWCHang:
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return false
	case mode == CWCDown || down:
		http.Error(w, "Service Unavailable: scheduled maintenance", http.StatusServiceUnavailable)
		return false
	case !known:
		http.Error(w, "Unauthorized: invalid API key", http.StatusUnauthorized)
		return false
	case mode == CWCUnapproved:
		http.Error(w, "Forbidden: this IP address is not approved", http.StatusForbidden)
		return false
	}
	return true
}

func writeErrors(w http.ResponseWriter, problems []string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusBadRequest)
	io.WriteString(w, "<Errors>\n")
	for _, p := range problems {
		fmt.Fprintf(w, "  <Error>%s</Error>\n", xmlText(p))
	}
	io.WriteString(w, "</Errors>\n")
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (c *CWC) record(r *http.Request, body []byte, id, office string, status int) {
	c.received = append(c.received, CWCReceived{Path: r.URL.Path, Key: r.URL.Query().Get("apikey"),
		ContentType: r.Header.Get("Content-Type"), DeliveryID: id, Office: office, Status: status, Body: body})
}

// message takes a message: /v2/message and /api/messages/.
func (c *CWC) message(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, office, problems := c.check(body)
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		c.mu.Lock()
		c.record(r, body, id, office, rec.status)
		c.mu.Unlock()
	}()
	if !c.gate(rec, r) {
		return
	}
	if len(problems) > 0 {
		writeErrors(rec, problems)
		return
	}
	c.mu.Lock()
	dupe := c.dupes && c.accepted[id] > 0
	if !dupe {
		c.accepted[id]++
	}
	c.mu.Unlock()
	if dupe {
		http.Error(rec, "Conflict: DeliveryId already used", http.StatusConflict)
		return
	}
	rec.WriteHeader(http.StatusOK)
	io.WriteString(rec, "Message Accepted")
}

// validate checks a message without delivering it: /v2/validate and the
// Senate's /api/testing-messages/.
func (c *CWC) validate(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !c.gate(w, r) {
		return
	}
	if _, _, problems := c.check(body); len(problems) > 0 {
		writeErrors(w, problems)
		return
	}
	io.WriteString(w, "Message Validated")
}

// activeOffices lists the Senate offices that take CWC messages, as JSON:
// [{"office_code": "SNY03", "name": "Charles E. Schumer [bioguide_id: S000148]"}].
func (c *CWC) activeOffices(w http.ResponseWriter, r *http.Request) {
	if !c.gate(w, r) {
		return
	}
	c.mu.Lock()
	out := make([]map[string]string, 0, len(c.offices))
	for _, o := range c.offices {
		name := o.Name
		if o.BioguideID != "" {
			name += " [bioguide_id: " + o.BioguideID + "]"
		}
		out = append(out, map[string]string{"office_code": o.Code, "name": strings.TrimSpace(name)})
	}
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
