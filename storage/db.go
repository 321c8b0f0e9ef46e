package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/cieaudit/cieaudit/checklist"
)

// Open opens (creating if needed) the database at path and migrates it to the
// current schema.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{path: path, opts: opts}
	if err := s.checkPath(); err != nil {
		return nil, err
	}
	if opts.Hold {
		db, err := s.openBolt(opts.ReadOnly)
		if err != nil {
			return nil, err
		}
		s.db = db
	}
	if err := s.prepare(); err != nil {
		if s.db != nil {
			_ = s.db.Close()
		}
		return nil, err
	}
	return s, nil
}

// checkPath looks at the database path before bbolt opens it: anything but
// a regular file (a folder, a FIFO that would block, a device, a symbolic
// link loop) is refused at once, and an empty file is initialised, as a new
// one is, unless the store is read-only.
func (s *Store) checkPath() error {
	fi, err := os.Stat(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && s.opts.ReadOnly:
		return fmt.Errorf("il database %s non esiste: non si può aprire in sola lettura", s.path)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return checklist.PathError("il database", s.path, err)
	}
	if err := checklist.NotRegularFile("il database", s.path, fi.Mode()); err != nil {
		return err
	}
	if fi.Size() > 0 {
		return nil
	}
	if s.opts.ReadOnly {
		return fmt.Errorf("il database %s è vuoto (0 byte): non si può inizializzare in sola lettura; lo inizializza il primo comando che scrive", s.path)
	}
	db, err := s.openBolt(false)
	if err != nil {
		return err
	}
	return db.Close()
}

// Close releases the file and ends every subscription.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.closeSubscribers()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("chiusura del database %s: %w", s.path, err)
	}
	return nil
}

// errFn marks an error returned by the transaction's own function, as
// opposed to one from bbolt opening or committing.
type errFn struct{ error }

func (e errFn) Unwrap() error { return e.error }

// update runs fn in a read-write transaction, committed before it returns.
// It is the only way this package writes; the users and access-log files use
// it too so that every write follows the same locking mode. On a held file
// the transaction may be shared with concurrent callers' functions (group
// commit, groupcommit.go), and fn may then run more than once: it must only
// assign, never accumulate, what it reports.
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	if s.opts.ReadOnly {
		return fmt.Errorf("%w: %s", ErrReadOnly, s.path)
	}
	var err error
	if s.opts.Hold && !s.opts.NoGroupCommit {
		err = s.updateGrouped(fn)
	} else {
		err = s.withDB(false, func(db *bolt.DB) error {
			return db.Update(func(tx *bolt.Tx) error {
				if err := fn(tx); err != nil {
					return errFn{err}
				}
				return nil
			})
		})
	}
	var fe errFn
	if errors.As(err, &fe) {
		return fe.error
	}
	if err != nil && !errors.Is(err, ErrLocked) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrClosed) {
		// The commit itself failed: nothing of fn was saved.
		return fmt.Errorf("scrittura sul database %s non riuscita, nessuna modifica salvata (disco pieno o non scrivibile?): %w", s.path, err)
	}
	return err
}

// view runs fn in a read-only transaction.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	err := s.withDB(true, func(db *bolt.DB) error {
		return db.View(func(tx *bolt.Tx) error {
			if err := fn(tx); err != nil {
				return errFn{err}
			}
			return nil
		})
	})
	var fe errFn
	if errors.As(err, &fe) {
		return fe.error
	}
	return err
}

// withDB hands fn an open handle: the held one, or one opened and locked
// for this call only.
func (s *Store) withDB(readOnly bool, fn func(db *bolt.DB) error) (err error) {
	defer s.recoverCorrupt(debug.SetPanicOnFault(true), &err)
	if readOnly || s.opts.Hold {
		s.mu.RLock()
		defer s.mu.RUnlock()
	} else {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	if s.closed {
		return fmt.Errorf("%w: %s", ErrClosed, s.path)
	}
	if s.db != nil {
		return fn(s.db)
	}
	db, err := s.openBolt(readOnly || s.opts.ReadOnly)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("chiusura del database %s: %w", s.path, cerr)
		}
	}()
	return fn(db)
}

// recoverCorrupt turns a panic or a memory fault while reading a damaged
// file into ErrCorrupt: bbolt trusts the page structure it maps, and a
// garbled page can make it index out of range. It is a last resort; the
// errors bbolt returns are translated where they occur. A panic raised
// outside bbolt is a bug, not damage, and is reported as such.
//
// Use it as defer s.recoverCorrupt(debug.SetPanicOnFault(true), &err): the
// argument is evaluated at once, so faults become panics from then on.
func (s *Store) recoverCorrupt(oldPanicOnFault bool, err *error) {
	debug.SetPanicOnFault(oldPanicOnFault)
	r := recover()
	if r == nil {
		return
	}
	// A fault at a real address is a read past the end of a truncated
	// mapping; one near zero is a nil dereference, judged like any panic.
	if f, ok := r.(interface{ Addr() uintptr }); (ok && f.Addr() >= 4096) || panickedInBolt() {
		*err = s.corrupt(fmt.Errorf("%v", r))
		return
	}
	*err = fmt.Errorf("errore interno di cieaudit durante l'accesso a %s (da segnalare): %v", s.path, r)
}

// panickedInBolt reports whether the innermost non-runtime frame of the
// panicking goroutine is in bbolt. Deferred functions run on top of the
// frames of the panic, so they are still on the stack here.
func panickedInBolt() bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		switch {
		case strings.HasPrefix(f.Function, "runtime."):
		case strings.HasPrefix(f.Function, "go.etcd.io/bbolt"):
			return true
		default:
			return false
		}
		if !more {
			return false
		}
	}
}

func (s *Store) corrupt(cause error) error {
	return fmt.Errorf("%w: %s non è un database cieaudit leggibile (%v); ripristinare l'ultimo backup e verificare il file con cieaudit doctor", ErrCorrupt, s.path, cause)
}

func (s *Store) locked() error {
	return fmt.Errorf("%w: il file %s è aperto da un altro cieaudit (per esempio il server SSH, o un altro terminale che lo tiene aperto) e non si è liberato entro %v; chiudere l'altro programma e riprovare, oppure eseguire il comando sul server (ssh … export)", ErrLocked, s.path, s.opts.LockTimeout)
}

// lockPoll bounds the pause between two attempts at the file lock. bbolt
// itself retries every 50ms, which lets a process that comes back to the
// file often (a CLI loop, the TUI saving answer after answer) take the lock
// again before a waiting one notices it was free: polling every few
// milliseconds keeps waits short and fair enough for interactive use.
const lockPoll = 4 * time.Millisecond

// openBolt opens the file with the lock mode wanted and translates bbolt's
// errors into ones an auditor can act on.
func (s *Store) openBolt(readOnly bool) (db *bolt.DB, err error) {
	defer s.recoverCorrupt(debug.SetPanicOnFault(true), &err)
	deadline := time.Now().Add(s.opts.LockTimeout)
	for {
		db, err = bolt.Open(s.path, 0o600, &bolt.Options{
			// Any timeout below bbolt's 50ms retry step means "try once".
			Timeout:  time.Nanosecond,
			ReadOnly: readOnly,
			MaxSize:  s.opts.maxSize,
		})
		if !errors.Is(err, bolterrors.ErrTimeout) || time.Now().After(deadline) {
			break
		}
		time.Sleep(lockPoll/4 + rand.N(lockPoll))
	}
	switch {
	case err == nil:
		db.NoSync = s.opts.NoSync
		return db, nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, s.locked()
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("apertura del database %s: %w", s.path, err)
	}
	if fi, serr := os.Stat(s.path); serr == nil && fi.Size() > 0 {
		return nil, s.corrupt(err)
	}
	return nil, fmt.Errorf("apertura del database %s: %w", s.path, err)
}
