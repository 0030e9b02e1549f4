package advocacy

import (
	"fmt"
	"strings"
	"testing"
)

// cosponsorPage writes one page of a Congress.gov answer for hr5917-119
// holding the cosponsors numbered from..to-1 of a list of total, with a
// next link unless it is the last page.
func cosponsorPage(from, to, total int) string {
	var b strings.Builder
	b.WriteString(`{"cosponsors": [`)
	for i := from; i < to; i++ {
		if i > from {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"bioguideId": "A%06d", "isOriginalCosponsor": false, "sponsorshipDate": "2025-12-01"}`, i)
	}
	b.WriteString(`], "pagination": {"count": `)
	fmt.Fprintf(&b, "%d", total)
	if to < total {
		fmt.Fprintf(&b, `, "next": "https://api.congress.gov/v3/bill/119/hr/5917/cosponsors?offset=%d&limit=250&format=json"`, to)
	}
	b.WriteString(`}, "request": {"billNumber": "5917", "billType": "hr", "congress": "119", "format": "json"}}`)
	return b.String()
}

func TestCosponsorFileWithPages(t *testing.T) {
	p1, p2, p3 := cosponsorPage(0, 250, 600), cosponsorPage(250, 500, 600), cosponsorPage(500, 600, 600)
	for name, in := range map[string]string{
		"pages one after another": p1 + "\n" + p2 + "\n" + p3 + "\n",
		"a JSON array of pages":   "[" + p1 + "," + p2 + "," + p3 + "]",
		"pages in any order":      p3 + p1 + p2,
	} {
		f, err := ParseCosponsorFile(strings.NewReader(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if f.Bill != "hr5917-119" || len(f.Cosponsors) != 600 {
			t.Errorf("%s: bill %q, %d cosponsors", name, f.Bill, len(f.Cosponsors))
		}
	}
	f, err := ParseCosponsorFiles(strings.NewReader(p1), strings.NewReader(p2+p3))
	if err != nil || len(f.Cosponsors) != 600 {
		t.Errorf("several files: %d, %v", len(f.Cosponsors), err)
	}

	other := strings.Replace(cosponsorPage(500, 600, 600), `"5917"`, `"5918"`, 1)
	for name, tt := range map[string]struct {
		in   string
		want string
	}{
		"a page missing":       {p1 + p3, "The 2 pages hold 350 of 600 cosponsors: a page is missing"},
		"only the first page":  {p1, "holds only one page (250 of 600 cosponsors)"},
		"a page twice":         {p1 + p2 + p2 + p3, "The pages overlap: A000250 is on page 2 and page 3"},
		"pages of other bills": {p1 + p2 + other, "different bills (hr5917-119 and hr5918-119)"},
		"a broken page":        {p1 + `{"cosponsors": [{"bioguideId": "x"}]}`, "Page 2: The cosponsor file's cosponsor 1"},
		"an empty array":       {"[]", "holds no pages"},
	} {
		_, err := ParseCosponsorFile(strings.NewReader(tt.in))
		if ErrorCode(err) != CodeInvalid || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one saying %q", name, err, tt.want)
		}
	}
	_, err = ParseCosponsorFiles(strings.NewReader(p1), strings.NewReader("not json"))
	if err == nil || !strings.Contains(err.Error(), "File 2: The cosponsor file is not valid JSON") {
		t.Errorf("a broken second file: %v", err)
	}
}
