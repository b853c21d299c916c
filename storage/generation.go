package storage

import "sync/atomic"

// generation counts the writes a Store has committed. A reader that keeps
// an answer computed from the database (the status report) keeps the
// generation it read before computing it, and knows the answer still holds
// while the generation has not moved. It counts this process's writes only:
// one catweete serves a database at a time.
type generation struct{ n atomic.Uint64 }

// wrote records a committed write. Inside a transaction the generation is
// nil: the transaction's commit counts, not its statements.
func (g *generation) wrote() {
	if g != nil {
		g.n.Add(1)
	}
}

// Generation is the number of writes committed through s so far. It moves
// after each write is committed, never before: an answer computed after
// reading generation g saw every write counted in g.
func (s *Store) Generation() uint64 { return s.gen.n.Load() }
