package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/testkit"
)

func TestUserCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "w.db")
	env := func(k string) string {
		if k == "WHIPCOUNT_DB" {
			return dbPath
		}
		return ""
	}
	ctx := context.Background()
	userRun := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		var in *strings.Reader
		if stdin != "" {
			in = strings.NewReader(stdin)
		}
		var err error
		if in == nil {
			err = userCmd(ctx, args, env, nil, &out, &errOut)
		} else {
			err = userCmd(ctx, args, env, in, &out, &errOut)
		}
		return out.String() + errOut.String(), err
	}

	// A piped password is used and never printed.
	out, err := userRun("a piped-in password\n", "add", "-email", "Admin@Example.org", "-role", "admin")
	if err != nil || !strings.Contains(out, "created admin@example.org (Admin)") || strings.Contains(out, "piped-in") {
		t.Fatalf("add admin: %v\n%s", err, out)
	}
	// Without one, a password is generated and printed once.
	out, err = userRun("", "add", "-email", "org@example.org")
	if err != nil {
		t.Fatalf("add organizer: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`password: (\S{24})\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no generated password in:\n%s", out)
	}

	store := testkit.OpenDB(t, dbPath)
	defer store.Close()
	users := sqlite.NewUsers(store, time.Now)
	for email, pw := range map[string]string{"admin@example.org": "a piped-in password", "org@example.org": m[1]} {
		u, hash, err := users.UserForLogin(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := advocacy.CheckPassword(hash, pw); !ok || err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("%s: password does not verify (%v) or hash %q", u.Email, err, hash)
		}
	}

	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"add", "-email", "org@example.org"}, "already exists"},
		{"", []string{"add", "-email", "p@example.org", "-role", "partner"}, "partner"},
		{"", []string{"add", "-email", "p@example.org", "-role", "partner", "-partner", "nobody"}, "no partner"},
		{"", []string{"add", "-email", "x@example.org", "-role", "root"}, "role"},
		{"short\n", []string{"add", "-email", "x@example.org"}, "at least 12"},
		{"", []string{"disable", "-email", "admin@example.org"}, "last admin"},
	} {
		out, err := userRun(tc.stdin, tc.args...)
		if err == nil || !strings.Contains(err.Error()+out, tc.want) {
			t.Errorf("%v: err %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
	if out, err := userRun("", "disable", "-email", "org@example.org"); err != nil || !strings.Contains(out, "disabled") {
		t.Errorf("disable: %v %s", err, out)
	}
	out, err = userRun("", "list")
	if err != nil || !strings.Contains(out, "org@example.org") || !strings.Contains(out, "disabled") || !strings.Contains(out, "admin") {
		t.Errorf("list: %v\n%s", err, out)
	}
	var n int
	if err := store.R.QueryRow("SELECT count(*) FROM audit_log WHERE user_id IS NULL").Scan(&n); err != nil || n != 3 {
		t.Errorf("audited CLI changes: %d %v", n, err)
	}
	if code := run(ctx, []string{"whipcount", "user"}, env, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("bare user command exited %d", code)
	}
}

func TestReadPiped(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.WriteString("from a pipe\r\nsecond line\n"); w.Close() }()
	if line, piped, err := readPiped(r); err != nil || !piped || line != "from a pipe" {
		t.Errorf("pipe: %q %v %v", line, piped, err)
	}
	// A character device (a terminal, or /dev/null) is not a piped password.
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	if _, piped, err := readPiped(devnull); piped || err != nil {
		t.Errorf("%s counted as piped: %v", os.DevNull, err)
	}
	if _, piped, _ := readPiped(strings.NewReader("\n")); piped {
		t.Error("an empty line counted as a password")
	}
}
