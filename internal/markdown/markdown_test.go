package markdown

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRenderSanitises(t *testing.T) {
	r := New(3)
	tests := []struct {
		name    string
		in      string
		want    []string // substrings that must appear
		notWant []string // substrings that must not
	}{
		{"emphasis and lists", "Some **bold** and *italic*.\n\n- one\n- two",
			[]string{"<strong>bold</strong>", "<em>italic</em>", "<li>one</li>"}, nil},
		{"script tag", "Hello <script>alert(1)</script> world",
			[]string{"Hello"}, []string{"<script", "alert(1)"}},
		{"script block", "<script>\nfetch('/steal')\n</script>\n\nAfter",
			[]string{"After"}, []string{"<script", "fetch("}},
		{"onerror attribute", `<img src="x.png" onerror="alert(1)">`,
			nil, []string{"onerror", "alert"}},
		{"event handler on inline html", `<b onclick="alert(1)" onmouseover="x()">hi</b>`,
			[]string{"<b>hi</b>"}, []string{"onclick", "onmouseover"}},
		{"javascript link in markdown", "[click](javascript:alert(1))",
			[]string{"click"}, []string{"javascript:", `href="javascript`}},
		{"javascript link in html", `<a href="javascript:alert(1)">x</a>`,
			nil, []string{"javascript:"}},
		{"data url link", `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`,
			nil, []string{"data:text"}},
		{"iframe and style", `<iframe src="https://evil.example"></iframe><style>body{}</style>`,
			nil, []string{"<iframe", "<style", "evil.example"}},
		{"inline style attribute", `<span style="color:red">red</span>`,
			[]string{"red"}, []string{"style="}},
		{"link gets nofollow and noopener", "[Congress.gov](https://www.congress.gov/)",
			[]string{`href="https://www.congress.gov/"`, "nofollow", "noopener"}, nil},
		{"raw html rel is not trusted", `<a href="https://example.com/" rel="opener">x</a>`,
			[]string{"nofollow"}, []string{`"opener"`}},
		{"headings move down", "# Big\n\n### Small\n\n###### Tiny",
			[]string{"<h4>Big</h4>", "<h6>Small</h6>", "<h6>Tiny</h6>"}, []string{"<h1", "<h3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.in)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q; want it to contain %q", tt.in, got, w)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("Render(%q) = %q; must not contain %q", tt.in, got, nw)
				}
			}
			assertNoActiveContent(t, got)
		})
	}
}

// assertNoActiveContent parses the output as HTML and fails on any script
// element, event-handler attribute or script URL, however spelled.
func assertNoActiveContent(t *testing.T, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "script" || tok.Data == "iframe" || tok.Data == "object" {
				t.Errorf("output has a <%s> element: %q", tok.Data, out)
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("output has an event handler %s: %q", a.Key, out)
				}
				if v := strings.ToLower(strings.TrimSpace(a.Val)); strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") {
					t.Errorf("output has a script URL in %s: %q", a.Key, out)
				}
			}
		}
	}
}
