package storage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var accessLogBucketName = []byte("access_log")

// LogAccess appends an entry to the access log and returns its sequence
// number; At defaults to now.
func (s *Store) LogAccess(e AccessEntry) (uint64, error) {
	e = e.Clean()
	var seq uint64
	err := s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(accessLogBucketName)
		if err != nil {
			return err
		}
		b.FillPercent = appendOnlyFill
		if seq, err = b.NextSequence(); err != nil {
			return err
		}
		e.Seq = seq
		if e.At.IsZero() {
			e.At = s.opts.Now()
		}
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return b.Put(binary.BigEndian.AppendUint64(nil, seq), raw)
	})
	return seq, err
}

// EndAccess records the end of the session logged as seq.
func (s *Store) EndAccess(seq uint64, end time.Time) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(accessLogBucketName)
		key := binary.BigEndian.AppendUint64(nil, seq)
		var raw []byte
		if b != nil {
			raw = b.Get(key)
		}
		if raw == nil {
			return fmt.Errorf("voce %d del registro accessi: %w", seq, ErrNotFound)
		}
		var e AccessEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return err
		}
		e.Ended = end
		e.DurationSeconds = end.Sub(e.At).Seconds()
		out, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return b.Put(key, out)
	})
}

// AccessLog returns the last limit entries of the access log (all of them
// when limit <= 0), oldest first.
func (s *Store) AccessLog(limit int) ([]AccessEntry, error) {
	var out []AccessEntry
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(accessLogBucketName)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if limit > 0 && len(out) == limit {
				break
			}
			var e AccessEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("voce %d del registro accessi illeggibile: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, e)
		}
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}
