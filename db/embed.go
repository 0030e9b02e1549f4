// Package db embeds the schema migrations.
package db

import "embed"

// Migrations holds the forward-only schema migrations, applied in name order.
//
//go:embed migrations/*.sql
var Migrations embed.FS
