package markdown

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// FuzzRender: no script, no event handler and no script URL survives
// rendering, whatever an organizer types.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"**bold** and [a link](https://example.org)",
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[click](javascript:alert(1))",
		"<a href=\"JaVaScRiPt:alert(1)\">x</a>",
		"<svg><script>1</script></svg>",
		"<iframe src=//evil></iframe>",
		"<div style=\"background:url(javascript:1)\">x</div>",
		"<<script>script>alert(1)<</script>/script>",
		"[x](&#106;avascript:alert(1))",
	} {
		f.Add(s)
	}
	r := New(2)
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.Render(src)
		if err != nil {
			return
		}
		checkSafe(t, src, out)
	})
}

// checkSafe parses the output as a browser would and fails on anything that
// could run script.
func checkSafe(t *testing.T, src, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta", "link":
			t.Fatalf("<%s> survived in %q from %q", tok.Data, out, src)
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" {
				t.Fatalf("attribute %s survived in %q from %q", a.Key, out, src)
			}
			if key == "href" || key == "src" || key == "action" || key == "formaction" {
				v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:") {
					t.Fatalf("script URL %q survived in %q from %q", a.Val, out, src)
				}
			}
		}
	}
}
