package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// The per-audit records of schema 4 (answers, history, evaluations,
// actions, overrides, the cycle's registers) are stored in a small binary
// encoding instead of JSON: decoding JSON was a third of the CPU of a batch
// export and the values were four times the size of the same content in
// SQLite. docs/storage.md ("Record encoding") describes the layout and how
// to add a record type.
//
// A value is one tag byte naming the record type and its layout, then the
// fields in the order the codec lists them:
//
//	text, symbol   uvarint length, then the bytes (valid UTF-8: invalid
//	               bytes when reading are reported as damage)
//	integer        zig-zag varint
//	moment         zig-zag varint of Unix nanoseconds; 0 is the zero time;
//	               read back in UTC
//	scope          as text, in its textual form ("postazione:CODE")
//
// Fields that the key already holds (an answer's scope and item, a history
// entry's sequence number) are not repeated in the value. A value that ends
// before its last fields were written decodes them as zero values, so a
// field appended to a codec needs no rewrite of old records. A value that
// starts with '{' is JSON, as every value was up to schema 3: the
// migrations read it that way.

// codec describes how one record type T is stored.
type codec[T any] struct {
	// name says what the record is in error messages ("risposta").
	name string
	// tag is the first byte of every value. A layout change that old
	// values cannot be read with takes a new tag (and a migration).
	tag byte
	// fields are the record's fields in stored order; nil stores the
	// whole record as JSON after the tag (for nested, rarely read values).
	fields []field[T]
	// fromKey, when set, fills the fields the key holds.
	fromKey func(key []byte, v *T) error
}

// field is one stored field of a record type T.
type field[T any] struct {
	put func(e *encoder, v *T)
	get func(d *decoder, v *T)
}

// encode returns the stored form of v.
func (c *codec[T]) encode(v *T) []byte {
	e := encoder{buf: make([]byte, 1, 64)}
	e.buf[0] = c.tag
	if c.fields == nil {
		data, err := json.Marshal(v)
		if err != nil {
			// Only unsupported types fail, which is a programming error.
			panic(fmt.Sprintf("storage: encoding %s: %v", c.name, err))
		}
		return append(e.buf, data...)
	}
	for _, f := range c.fields {
		f.put(&e, v)
	}
	return e.buf
}

// decode reads a stored value (binary or, before schema 4, JSON) into v,
// which should be the zero value. The key fills what the value omits.
func (c *codec[T]) decode(key, data []byte, v *T, d *decoder) error {
	switch {
	case len(data) == 0:
		return fmt.Errorf("%s vuota", c.name)
	case data[0] == '{':
		return json.Unmarshal(data, v)
	case data[0] != c.tag:
		return fmt.Errorf("%s in un formato sconosciuto (%#x)", c.name, data[0])
	case c.fields == nil:
		if err := json.Unmarshal(data[1:], v); err != nil {
			return err
		}
	default:
		d.data, d.err = data[1:], nil
		for _, f := range c.fields {
			if len(d.data) == 0 {
				break
			}
			f.get(d, v)
		}
		if d.err != nil {
			return fmt.Errorf("%s illeggibile: %w", c.name, d.err)
		}
		if len(d.data) > 0 {
			return fmt.Errorf("%s illeggibile: %d byte in più", c.name, len(d.data))
		}
	}
	if c.fromKey != nil {
		return c.fromKey(key, v)
	}
	return nil
}

// put stores v under key in b.
func (c *codec[T]) put(b *bolt.Bucket, key []byte, v *T) error {
	return b.Put(key, c.encode(v))
}

// get reads key from b into v; it reports whether the key exists.
func (c *codec[T]) get(b *bolt.Bucket, key []byte, v *T) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	var d decoder
	if err := c.decode(key, data, v, &d); err != nil {
		return true, fmt.Errorf("%w: %q: %v", ErrCorrupt, key, err)
	}
	return true, nil
}

// each decodes every value of b in key order. Decoding reuses one decoder,
// so repeated short strings (authors, values, scopes) are allocated once
// per walk.
func (c *codec[T]) each(b *bolt.Bucket, fn func(T)) error {
	d := decoder{symbols: map[string]string{}}
	return b.ForEach(func(k, v []byte) error {
		var x T
		if err := c.decode(k, v, &x, &d); err != nil {
			return fmt.Errorf("%w: chiave %q: %v", ErrCorrupt, k, err)
		}
		fn(x)
		return nil
	})
}

// recordType is what the integrity check and the migrations need of a
// codec, whatever its record type.
type recordType interface {
	// check decodes every value of b.
	check(b *bolt.Bucket) error
	// recode decodes a value of any schema (JSON or binary) and returns it
	// in the current layout.
	recode(key, data []byte, d *decoder) ([]byte, error)
}

func (c *codec[T]) check(b *bolt.Bucket) error { return c.each(b, func(T) {}) }

func (c *codec[T]) recode(key, data []byte, d *decoder) ([]byte, error) {
	var v T
	if err := c.decode(key, data, &v, d); err != nil {
		return nil, err
	}
	return c.encode(&v), nil
}

// auditRecords maps each nested bucket of audits/<id> to the codec of its
// values. A new per-audit record type is added here, so that doctor checks
// it and a migration can rewrite it.
var auditRecords = map[string]recordType{
	string(bucketAnswers):      answerCodec,
	string(bucketHistory):      changeCodec,
	string(bucketEvaluations):  evaluationCodec,
	string(bucketActions):      actionCodec,
	string(bucketOverrides):    overrideCodec,
	string(bucketPlan):         planCodec,
	string(bucketBaselines):    baselineCodec,
	string(bucketOperators):    operatorCodec,
	string(bucketEvents):       eventCodec,
	string(bucketCarried):      carriedCodec,
	string(bucketCarry):        upgradeCodec,
	string(bucketEvidence):     evidenceCodec,
	string(bucketEvidenceData): evidenceDataCodec,
	string(bucketLogoData):     evidenceDataCodec,
}

// encoder appends fields to buf.
type encoder struct{ buf []byte }

func (e *encoder) text(s string) {
	if !utf8.ValidString(s) {
		// As encoding/json does: stored text is always valid UTF-8, so
		// that invalid bytes when reading mean damage.
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	e.buf = binary.AppendUvarint(e.buf, uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) integer(n int64) { e.buf = binary.AppendVarint(e.buf, n) }

func (e *encoder) moment(t time.Time) {
	if t.IsZero() {
		e.integer(0)
		return
	}
	e.integer(t.UnixNano())
}

// decoder reads fields from data; the first error stops it.
type decoder struct {
	data []byte
	err  error
	// symbols interns the strings of symbol fields during one walk.
	symbols map[string]string
}

var (
	errTruncated   = errors.New("valore troncato")
	errInvalidText = errors.New("testo non UTF-8")
)

func (d *decoder) bytes() []byte {
	b := d.raw()
	if b != nil && !utf8.Valid(b) {
		d.err, d.data = errInvalidText, nil
		return nil
	}
	return b
}

func (d *decoder) text() string { return string(d.bytes()) }

// raw reads a length-prefixed byte string that need not be text (the
// content of an evidence file); it aliases the value's bytes.
func (d *decoder) raw() []byte {
	if d.err != nil {
		return nil
	}
	n, k := binary.Uvarint(d.data)
	if k <= 0 || uint64(len(d.data)-k) < n {
		d.err, d.data = errTruncated, nil
		return nil
	}
	b := d.data[k : k+int(n)]
	d.data = d.data[k+int(n):]
	return b
}

func (d *decoder) symbol() string {
	b := d.bytes()
	if d.symbols == nil || len(b) > 64 {
		return string(b)
	}
	if s, ok := d.symbols[string(b)]; ok {
		return s
	}
	s := string(b)
	d.symbols[s] = s
	return s
}

func (d *decoder) integer() int64 {
	if d.err != nil {
		return 0
	}
	n, k := binary.Varint(d.data)
	if k <= 0 {
		d.err, d.data = errTruncated, nil
		return 0
	}
	d.data = d.data[k:]
	return n
}

func (d *decoder) moment() time.Time {
	n := d.integer()
	if n == 0 {
		return time.Time{}
	}
	// In UTC, as the JSON of earlier schemas decoded: what is shown to
	// people is converted to local time where it is shown.
	return time.Unix(0, n).UTC()
}

// Field constructors: each takes the accessor of the field in T.

// text is free text (notes, descriptions).
func text[T any, S ~string](at func(*T) *S) field[T] {
	return field[T]{
		put: func(e *encoder, v *T) { e.text(string(*at(v))) },
		get: func(d *decoder, v *T) { *at(v) = S(d.text()) },
	}
}

// symbol is a short text that repeats across records (an author, a value,
// a kind): decoding a bucket allocates each distinct one once.
func symbol[T any, S ~string](at func(*T) *S) field[T] {
	return field[T]{
		put: func(e *encoder, v *T) { e.text(string(*at(v))) },
		get: func(d *decoder, v *T) { *at(v) = S(d.symbol()) },
	}
}

// blob is opaque bytes (an evidence file's content), not checked as text.
func blob[T any](at func(*T) *[]byte) field[T] {
	return field[T]{
		put: func(e *encoder, v *T) {
			e.buf = binary.AppendUvarint(e.buf, uint64(len(*at(v))))
			e.buf = append(e.buf, *at(v)...)
		},
		get: func(d *decoder, v *T) { *at(v) = d.raw() },
	}
}

func integer[T any, I ~int | ~int64 | ~uint64](at func(*T) *I) field[T] {
	return field[T]{
		put: func(e *encoder, v *T) { e.integer(int64(*at(v))) },
		get: func(d *decoder, v *T) { *at(v) = I(d.integer()) },
	}
}

func moment[T any](at func(*T) *time.Time) field[T] {
	return field[T]{
		put: func(e *encoder, v *T) { e.moment(*at(v)) },
		get: func(d *decoder, v *T) { *at(v) = d.moment() },
	}
}

func scope[T any](at func(*T) *checklist.Scope) field[T] {
	return field[T]{
		put: func(e *encoder, v *T) { e.text(at(v).String()) },
		get: func(d *decoder, v *T) {
			s := d.symbol()
			if d.err != nil {
				return
			}
			sc, err := checklist.ParseScope(s)
			if err != nil {
				d.err = err
				return
			}
			*at(v) = sc
		},
	}
}

// scopedFromKey fills the scope and the item (or section) of a record keyed
// "scope\x00id".
func scopedFromKey(key []byte) (checklist.Scope, string, error) {
	for i, c := range key {
		if c == 0 {
			sc, err := checklist.ParseScope(string(key[:i]))
			return sc, string(key[i+1:]), err
		}
	}
	return checklist.Scope{}, "", fmt.Errorf("chiave %q senza separatore", key)
}

// The record types of schema 4.
var (
	answerCodec = &codec[checklist.Answer]{name: "risposta", tag: 'a',
		fields: []field[checklist.Answer]{
			symbol(func(a *checklist.Answer) *string { return &a.Value }),
			text(func(a *checklist.Answer) *string { return &a.Note }),
			symbol(func(a *checklist.Answer) *string { return &a.Author }),
			moment(func(a *checklist.Answer) *time.Time { return &a.At }),
			integer(func(a *checklist.Answer) *int { return &a.Rev }),
		},
		fromKey: func(key []byte, a *checklist.Answer) (err error) {
			a.Scope, a.Item, err = scopedFromKey(key)
			return err
		},
	}
	changeCodec = &codec[checklist.Change]{name: "voce di cronologia", tag: 'h',
		fields: []field[checklist.Change]{
			moment(func(c *checklist.Change) *time.Time { return &c.At }),
			symbol(func(c *checklist.Change) *string { return &c.Author }),
			symbol(func(c *checklist.Change) *checklist.ChangeKind { return &c.Kind }),
			symbol(func(c *checklist.Change) *string { return &c.Scope }),
			symbol(func(c *checklist.Change) *string { return &c.Item }),
			text(func(c *checklist.Change) *string { return &c.Old }),
			text(func(c *checklist.Change) *string { return &c.New }),
			text(func(c *checklist.Change) *string { return &c.Reason }),
		},
		fromKey: func(key []byte, c *checklist.Change) error {
			if len(key) != 8 {
				return fmt.Errorf("chiave di cronologia %x non valida", key)
			}
			c.Seq = binary.BigEndian.Uint64(key)
			return nil
		},
	}
	evaluationCodec = &codec[checklist.Evaluation]{name: "valutazione", tag: 'e',
		fields: []field[checklist.Evaluation]{
			text(func(e *checklist.Evaluation) *string { return &e.Text }),
			symbol(func(e *checklist.Evaluation) *string { return &e.Author }),
			moment(func(e *checklist.Evaluation) *time.Time { return &e.At }),
		},
		fromKey: func(key []byte, e *checklist.Evaluation) (err error) {
			e.Scope, e.Section, err = scopedFromKey(key)
			return err
		},
	}
	actionCodec = &codec[checklist.ActionPlan]{name: "azione", tag: 'p',
		fields: []field[checklist.ActionPlan]{
			text(func(p *checklist.ActionPlan) *string { return &p.Owner }),
			symbol(func(p *checklist.ActionPlan) *string { return &p.Due }),
			symbol(func(p *checklist.ActionPlan) *checklist.ActionStatus { return &p.Status }),
		},
		fromKey: func(key []byte, p *checklist.ActionPlan) error { p.Item = string(key); return nil },
	}
	overrideCodec = &codec[checklist.RiskOverride]{name: "rischio modificato", tag: 'r',
		fields: []field[checklist.RiskOverride]{
			integer(func(o *checklist.RiskOverride) *int { return &o.Probability }),
			integer(func(o *checklist.RiskOverride) *int { return &o.Impact }),
			text(func(o *checklist.RiskOverride) *string { return &o.Reason }),
		},
		fromKey: func(key []byte, o *checklist.RiskOverride) error { o.Threat = string(key); return nil },
	}
)

// The yearly cycle's records are nested and rarely read: their body is JSON
// after the tag, which keeps them in step with the checklist types.
var (
	planCodec     = &codec[checklist.Plan]{name: "piano", tag: 'n'}
	baselineCodec = &codec[checklist.Baseline]{name: "riferimento del piano", tag: 'b'}
	operatorCodec = &codec[checklist.Operator]{name: "operatore", tag: 'o'}
	eventCodec    = &codec[checklist.SecurityEvent]{name: "evento di sicurezza", tag: 'v'}
)

// appendOnlyFill is the fill percent of buckets whose keys only grow (the
// history, the baselines, the journals): bbolt's default of one half leaves
// every page of an append-only bucket half empty.
const appendOnlyFill = 1.0
