package sqlite

import "database/sql"

// ReaderStats reports the read-only pool's statistics, for metrics.
func (s *Store) ReaderStats() sql.DBStats { return s.reader.Stats() }

// WriterStats reports the writer connection's statistics, for metrics.
func (s *Store) WriterStats() sql.DBStats { return s.writer.Stats() }
