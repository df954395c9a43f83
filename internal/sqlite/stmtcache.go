package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"

	"modernc.org/sqlite"
)

// maxCachedStatements bounds each connection's statement cache. The queries
// are written in code (ours and River's), so a few hundred cover them all.
const maxCachedStatements = 512

// cachingConnector opens modernc connections that keep the statements they
// prepare, keyed by their SQL. modernc's driver prepares every query afresh,
// and for a large statement preparing costs more than running it: River's
// job insert spent three quarters of its time preparing (measured in
// BenchmarkGenerateAudio). database/sql's own prepared statements cannot help
// River, which queries with plain strings.
type cachingConnector struct {
	dsn    string
	driver *sqlite.Driver
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.driver }

// conn is what modernc's connections implement and database/sql uses.
type conn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is one connection with its statement cache. database/sql calls
// a connection from one goroutine at a time, so the cache needs no lock.
type cachingConn struct {
	conn  driver.Conn
	stmts map[string]*cachedStmt
}

// cachedStmt is a prepared statement; busy while rows it returned are open,
// since the statement cannot run again until they are closed.
type cachedStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool
}

func (c *cachingConn) full() conn { return c.conn.(conn) }

// Unwrap returns the driver's own connection, for code that needs modernc's
// extensions through sql.Conn.Raw (the online backup, for instance).
func (c *cachingConn) Unwrap() driver.Conn { return c.conn }

// cached returns the statement of query, preparing it on first use, or nil
// when it is busy (the caller then runs the query uncached).
func (c *cachingConn) cached(ctx context.Context, query string) (*cachedStmt, error) {
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		return s, nil
	}
	st, err := c.full().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	typed, ok := st.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		st.Close()
		return nil, errors.New("sqlite: driver statement lacks context methods")
	}
	if len(c.stmts) >= maxCachedStatements {
		for q, s := range c.stmts { // evict one idle statement
			if !s.busy {
				s.stmt.Close()
				delete(c.stmts, q)
				break
			}
		}
	}
	s := &cachedStmt{stmt: typed}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.full().ExecContext(ctx, query, args)
	}
	return s.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.full().QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &releasingRows{Rows: rows, stmt: s}, nil
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.full().PrepareContext(ctx, query)
}

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.full().BeginTx(context.Background(), driver.TxOptions{})
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.full().BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.full().Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error { return c.full().ResetSession(ctx) }

func (c *cachingConn) IsValid() bool { return c.full().IsValid() }

func (c *cachingConn) Close() error {
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.stmt.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.conn.Close())...)
}

// releasingRows frees its statement for the next query when closed.
type releasingRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *releasingRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	return err
}
