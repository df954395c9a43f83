package sqlite

import (
	"database/sql"
	"sync"
)

// ReaderStats reports the read-only pool's statistics, for metrics.
func (s *Store) ReaderStats() sql.DBStats { return s.reader.Stats() }

// WriterStats reports the writer connection's statistics, for metrics.
func (s *Store) WriterStats() sql.DBStats { return s.writer.Stats() }

// HoldCheckpoints stops the periodic WAL checkpoint until release is called,
// for a backup: a checkpoint that starts during the backup's long read
// transaction blocks new writes until the backup ends.
func (s *Store) HoldCheckpoints() (release func()) {
	s.checkpointHolds.Add(1)
	var once sync.Once
	return func() { once.Do(func() { s.checkpointHolds.Add(-1) }) }
}
