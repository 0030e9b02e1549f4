package layers

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/whipcount/whipcount"

// graph is the import graph of some packages and their non-test
// dependencies: each package's direct imports.
type graph map[string][]string

// loadGraph asks the go command for the non-test dependencies of roots
// (paths relative to the module, such as "internal/server").
func loadGraph(t *testing.T, roots ...string) graph {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == "/dev/null" {
		t.Fatal("not inside the module: go env GOMOD is empty")
	}
	args := []string{"list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}"}
	for _, r := range roots {
		args = append(args, "./"+r)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Dir(gomod)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	g := graph{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) > 0 {
			g[fields[0]] = fields[1:]
		}
	}
	return g
}

// violations walks the dependencies of root and returns, for each package
// that forbidden reports, the shortest import chain from root to it
// ("a -> b -> c"). Packages are named relative to the module.
func (g graph) violations(root string, forbidden func(pkg string) bool) []string {
	root = module + "/" + root
	if _, ok := g[root]; !ok {
		return []string{"package " + short(root) + " was not listed"}
	}
	parent := map[string]string{root: ""}
	queue := []string{root}
	var found []string
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if pkg != root && forbidden(pkg) {
			chain := []string{short(pkg)}
			for p := parent[pkg]; p != ""; p = parent[p] {
				chain = append(chain, short(p))
			}
			slices.Reverse(chain)
			found = append(found, strings.Join(chain, " -> "))
			continue // what it imports is reported through it
		}
		for _, imp := range g[pkg] {
			if _, seen := parent[imp]; !seen {
				parent[imp] = pkg
				queue = append(queue, imp)
			}
		}
	}
	slices.Sort(found)
	return found
}

func short(pkg string) string {
	if s, ok := strings.CutPrefix(pkg, module+"/"); ok {
		return s
	}
	return pkg
}

// inModule reports whether pkg belongs to this module.
func inModule(pkg string) bool {
	return pkg == module || strings.HasPrefix(pkg, module+"/")
}

// anyOf reports packages of this module among dirs (or below them).
func anyOf(dirs ...string) func(string) bool {
	return func(pkg string) bool {
		for _, d := range dirs {
			p := module + "/" + d
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				return true
			}
		}
		return false
	}
}

// adapters are the packages that reach storage and the outside world.
var adapters = []string{
	"internal/sqlite", "internal/delivery", "internal/congress",
	"internal/congressgov", "internal/geocoder", "internal/standin",
}

func TestLayers(t *testing.T) {
	g := loadGraph(t, "internal/advocacy", "internal/mapdraw", "internal/ttlcache", "internal/letters", "internal/campaigns", "internal/accounts",
		"internal/server", "templates", "cmd/whipcount")
	rules := []struct {
		pkg, rule string
		forbidden func(string) bool
	}{
		{"internal/advocacy", "the domain imports no package of this module", inModule},
		{"internal/mapdraw", "the server's helpers import no package of this module", inModule},
		{"internal/ttlcache", "the server's helpers import no package of this module", inModule},
		{"internal/letters", "the services reach no adapter (they declare interfaces)", anyOf(adapters...)},
		{"internal/campaigns", "the services reach no adapter (they declare interfaces)", anyOf(adapters...)},
		{"internal/accounts", "the services reach no adapter (they declare interfaces)", anyOf(adapters...)},
		{"internal/server", "the HTTP layer reaches no adapter (declare an interface; cmd/whipcount wires it)", anyOf(adapters...)},
		{"templates", "templates import no package of this module but internal/advocacy", func(pkg string) bool {
			return inModule(pkg) && pkg != module+"/internal/advocacy"
		}},
	}
	for _, r := range rules {
		for _, v := range g.violations(r.pkg, r.forbidden) {
			t.Errorf("%s: %s", r.rule, v)
		}
	}

	// The check sees through the whole graph: the command that wires
	// everything together does reach the adapters, through a chain.
	got := g.violations("cmd/whipcount", anyOf("internal/sqlite"))
	if len(got) != 1 || !strings.HasPrefix(got[0], "cmd/whipcount -> ") || !strings.HasSuffix(got[0], " -> internal/sqlite") {
		t.Errorf("cmd/whipcount reaching internal/sqlite: got %q, want one chain from cmd/whipcount to internal/sqlite", got)
	}
	if got := g.violations("cmd/whipcount", anyOf(adapters...)); len(got) != len(adapters)-1 {
		// every adapter but the stand-ins, which only tests use
		t.Errorf("cmd/whipcount reaches %q, want every adapter but internal/standin", got)
	}
}

func TestViolationsNameTheChain(t *testing.T) {
	p := func(s string) string { return module + "/" + s }
	g := graph{
		p("internal/server"):   {"net/http", p("internal/helper"), p("internal/advocacy")},
		p("internal/helper"):   {p("internal/sqlite"), p("internal/advocacy")},
		p("internal/sqlite"):   {p("internal/advocacy"), "database/sql"},
		p("internal/advocacy"): {"errors"},
	}
	got := g.violations("internal/server", anyOf(adapters...))
	want := []string{"internal/server -> internal/helper -> internal/sqlite"}
	if !slices.Equal(got, want) {
		t.Errorf("violations = %q, want %q", got, want)
	}
	if got := g.violations("internal/advocacy", inModule); len(got) != 0 {
		t.Errorf("advocacy: %q, want none", got)
	}
	if got := g.violations("internal/missing", inModule); len(got) != 1 {
		t.Errorf("a package go list did not list: %q, want it reported", got)
	}
}

// testkit is the package of shared test fixtures: only _test.go files may
// import it, so it never reaches the app.
const testkit = "internal/testkit"

// importersOf lists the packages of g, named relative to the module, that
// import pkg. The graph holds non-test imports only, so any package it
// names imports pkg from code that is built into the app.
func (g graph) importersOf(pkg string) []string {
	pkg = module + "/" + pkg
	var found []string
	for p, imports := range g {
		if p != pkg && slices.Contains(imports, pkg) {
			found = append(found, short(p))
		}
	}
	slices.Sort(found)
	return found
}

func TestTestKitOnlyInTests(t *testing.T) {
	g := loadGraph(t, "...")
	if _, ok := g[module+"/"+testkit]; !ok {
		t.Fatalf("%s was not listed: the check would see nothing", testkit)
	}
	for _, p := range g.importersOf(testkit) {
		t.Errorf("%s imports %s outside its _test.go files; only tests may use the test kit", p, testkit)
	}
}

func TestImportersOfNamesCodeThatImportsTheKit(t *testing.T) {
	p := func(s string) string { return module + "/" + s }
	g := graph{
		p("cmd/whipcount"):   {p("internal/server"), p("internal/sqlite")},
		p("internal/server"): {"net/http", p(testkit)},
		p(testkit):           {p("internal/sqlite"), "testing"},
		p("internal/sqlite"): {"database/sql"},
	}
	if got, want := g.importersOf(testkit), []string{"internal/server"}; !slices.Equal(got, want) {
		t.Errorf("importers of the kit = %q, want %q", got, want)
	}
	if got := g.importersOf("internal/advocacy"); len(got) != 0 {
		t.Errorf("importers of a package nobody imports = %q, want none", got)
	}
}
