package sqlite

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/whipcount/whipcount/db"
)

func TestSecretIsCreatedOnceAndKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	d, err := Open(ctx, path, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.Secret(ctx, "hmac", time.Now())
	if err != nil || len(a) != 32 {
		t.Fatalf("secret %x, %v", a, err)
	}
	other, _ := d.Secret(ctx, "other", time.Now())
	if bytes.Equal(a, other) {
		t.Error("two names share a secret")
	}
	d.Close()
	d, err = Open(ctx, path, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	b, err := d.Secret(ctx, "hmac", time.Now())
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("secret changed across a restart: %x then %x (%v)", a, b, err)
	}
}
