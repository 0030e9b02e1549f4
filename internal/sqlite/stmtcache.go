package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache holds statements prepared once, so that hot paths do not parse
// their SQL again for every call: SQLite's parser is a large share of a
// small insert's cost, and of a short read's. On the writer handle, whose
// single connection a transaction holds, statements must be prepared before
// the transaction begins (prepare), and are then bound to it (bind). On the
// reader handle each connection prepares a statement the first time it runs
// it, and keeps it.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// prepare makes sure every query is prepared on db.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, queries ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	for _, q := range queries {
		if _, ok := c.stmts[q]; ok {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		c.stmts[q] = st
	}
	return nil
}

// get returns the prepared statement of query, or nil when it was not
// prepared.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// bind returns tx with the cache's statements available inside it.
func (c *stmtCache) bind(tx *sql.Tx) *stmtTx {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &stmtTx{Tx: tx, stmts: c.stmts}
}

// stmtTx is a transaction that runs prepared statements for the queries it
// knows, and plain ones for the rest.
type stmtTx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *stmtTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := t.stmts[query]; ok {
		return t.Tx.StmtContext(ctx, st)
	}
	return nil
}

// ExecContext runs query, prepared when it can.
func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query, prepared when it can.
func (t *stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query, prepared when it can.
func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
