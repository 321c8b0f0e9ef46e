package storage

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// idAlphabet has no 0/o, 1/l/i: IDs are read aloud and typed from paper.
const idAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// idLength gives 31^8 ≈ 8.5e11 IDs: collisions are retried anyway.
const idLength = 8

func newAuditID() (string, error) {
	id := make([]byte, 0, idLength)
	buf := make([]byte, 16)
	// 248 is the largest multiple of len(idAlphabet) below 256: rejecting
	// bytes above it keeps every letter equally likely.
	limit := byte(256 / len(idAlphabet) * len(idAlphabet))
	for len(id) < idLength {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("generazione dell'ID dell'audit: %w", err)
		}
		for _, b := range buf {
			if b < limit && len(id) < idLength {
				id = append(id, idAlphabet[int(b)%len(idAlphabet)])
			}
		}
	}
	return string(id), nil
}

// auditTx is one audit inside a transaction.
type auditTx struct {
	tx    *bolt.Tx
	b     *bolt.Bucket
	audit checklist.Audit
	now   time.Time
	cat   *checklist.Catalogue
	// changes are the history entries appended, for the events sent after
	// the commit.
	changes []checklist.Change
	// answered are the answers replaced in this transaction, old and new,
	// so that save can update the audit index without reading every answer.
	answered [][2]checklist.Answer
	// deferSave makes save a no-op: CreateAudits writes the info and the
	// summary once per audit rather than after every answer.
	deferSave bool
	// reason, when set, is recorded with every change that has none
	// (SaveAnswers: "copiata da …").
	reason string
}

func readAudit(tx *bolt.Tx, id string) (*bolt.Bucket, checklist.Audit, error) {
	var a checklist.Audit
	b := tx.Bucket(bucketAudits).Bucket([]byte(id))
	if b == nil {
		return nil, a, fmt.Errorf("audit %q: %w", id, ErrNotFound)
	}
	v := b.Get(keyInfo)
	if v == nil {
		return nil, a, fmt.Errorf("%w: audit %s senza dati (audits/%s/info mancante)", ErrCorrupt, id, id)
	}
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, a, fmt.Errorf("%w: audits/%s/info: %v", ErrCorrupt, id, err)
	}
	return b, a, nil
}

// openAudit reads an audit for a write: closed audits are refused unless
// closedToo is set.
func (s *Store) openAudit(tx *bolt.Tx, id string, closedToo bool) (*auditTx, error) {
	b, a, err := readAudit(tx, id)
	if err != nil {
		return nil, err
	}
	if a.Status == checklist.StatusClosed && !closedToo {
		return nil, fmt.Errorf("audit %s: %w", id, ErrAuditClosed)
	}
	return &auditTx{tx: tx, b: b, audit: a, now: s.opts.Now()}, nil
}

func (at *auditTx) catalogue() (*checklist.Catalogue, error) {
	if at.cat == nil {
		c, err := readCatalogue(at.tx, at.audit.CatalogueKey(), at.audit.CatalogueDigest)
		if err != nil {
			return nil, err
		}
		at.cat = c
	}
	return at.cat, nil
}

func (at *auditTx) bucket(name []byte) *bolt.Bucket { return at.b.Bucket(name) }

// record appends c to the audit's history.
func (at *auditTx) record(c checklist.Change) error {
	c.At = at.now
	if c.Reason == "" {
		c.Reason = at.reason
	}
	if c.Author == "" {
		c.Author = unknownAuthor
	}
	c, err := appendChange(at.bucket(bucketHistory), c)
	if err != nil {
		return err
	}
	at.changes = append(at.changes, c)
	return nil
}

// save writes the audit's info with UpdatedAt moved to now, and its summary.
func (at *auditTx) save() error {
	at.audit.UpdatedAt = at.now
	if at.deferSave {
		return nil
	}
	if err := putJSON(at.b, keyInfo, at.audit); err != nil {
		return err
	}
	return at.writeSummary()
}

// unknownAuthor is recorded when a caller gives no author.
const unknownAuthor = "(non indicato)"

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("%w: valore %q illeggibile: %v", ErrCorrupt, key, err)
	}
	return true, nil
}

// changeEvents is one event per recorded change.
func changeEvents(id string, changes []checklist.Change) []Event {
	events := make([]Event, len(changes))
	for i, c := range changes {
		events[i] = Event{AuditID: id, Kind: c.Kind, Scope: c.Scope, Item: c.Item, Author: c.Author}
	}
	return events
}

// validateAudit cleans the texts of an audit and applies checklist's rules
// on the ente and its perimeter (Audit.Validate).
func validateAudit(a *checklist.Audit) error {
	cleanAudit(a)
	a.Normalise()
	return a.Validate()
}

// cleanAudit applies checklist.CleanText to every text of the audit: they
// are printed in lists, reports and other users' terminals.
func cleanAudit(a *checklist.Audit) {
	line := func(fields ...*string) {
		for _, f := range fields {
			*f = checklist.CleanText(*f, false)
		}
	}
	e := &a.Ente
	line(&e.Name, &e.ISTAT, &e.Province, &e.Prefettura, &e.Sindaco, &e.ResponsabileSicurezza, &e.ReferenteCIE)
	for i := range a.Auditors {
		line(&a.Auditors[i])
	}
	for i := range a.Sedi {
		s := &a.Sedi[i]
		line(&s.Name, &s.Address)
		for j := range s.Rooms {
			line(&s.Rooms[j])
		}
	}
	for i := range a.Postazioni {
		p := &a.Postazioni[i]
		h := &p.Hardware
		line(&p.Code, &p.Sede, &p.Room, &p.OS, &h.PC, &h.LettoreImpronte, &h.LettoreSmartCard, &h.Multifunzione, &h.LettoreBarcode, &h.Altro)
		p.Notes = checklist.CleanText(p.Notes, true)
	}
	if so := a.SignOff; so != nil {
		line(&so.Place, &so.Date)
		for i := range so.Auditors {
			line(&so.Auditors[i])
		}
	}
}

// CreateAudit stores a new audit pinned to an already stored catalogue and
// returns it with its ID, status and timestamps set.
func (s *Store) CreateAudit(a checklist.Audit, author string) (checklist.Audit, error) {
	a, _, err := s.CreateAuditOnce(a, author, nil, nil, nil)
	return a, err
}

// CreateAuditOnce creates an audit together with its first answers and
// section evaluations in one transaction, so that it exists complete or not
// at all. When existing is not nil and matches an audit already stored,
// nothing is created and that audit is returned with created false: the
// check and the creation are atomic, so two processes cannot both create it.
func (s *Store) CreateAuditOnce(a checklist.Audit, author string, answers []checklist.Answer, evaluations []checklist.Evaluation,
	existing func(AuditSummary) bool) (_ checklist.Audit, created bool, _ error) {
	if err := validateAudit(&a); err != nil {
		return checklist.Audit{}, false, err
	}
	if a.CatalogueID == "" || a.CatalogueVersion == "" {
		return checklist.Audit{}, false, errors.New("catalogo dell'audit non indicato (catalogue_id e catalogue_version)")
	}
	now := s.opts.Now()
	err := s.write(func(tx *bolt.Tx) ([]Event, error) {
		created = false
		if existing != nil {
			list, err := listSummaries(tx)
			if err != nil {
				return nil, err
			}
			for _, sum := range list {
				if existing(sum) {
					_, a, err = readAudit(tx, sum.ID)
					return nil, err
				}
			}
		}
		at, err := createAudit(tx, a, author, now)
		if err != nil {
			return nil, err
		}
		for _, ans := range answers {
			if _, err := at.saveAnswer(ans, -1, false); err != nil {
				return nil, fmt.Errorf("risposta %s (%s): %w", ans.Item, ans.Scope.String(), err)
			}
		}
		for _, e := range evaluations {
			if err := at.saveEvaluation(e); err != nil {
				return nil, fmt.Errorf("valutazione della sezione %s (%s): %w", e.Section, e.Scope.String(), err)
			}
		}
		a, created = at.audit, true
		return changeEvents(a.ID, at.changes), nil
	})
	if err != nil {
		return checklist.Audit{}, false, fmt.Errorf("creazione dell'audit: %w", err)
	}
	return a, created, nil
}

// createAudit stores a new audit in tx and returns it open for more writes.
func createAudit(tx *bolt.Tx, a checklist.Audit, author string, now time.Time) (*auditTx, error) {
	rec, err := catalogueInfo(tx, a.CatalogueKey())
	if err != nil {
		return nil, err
	}
	if a.CatalogueDigest != "" && a.CatalogueDigest != rec.Digest {
		return nil, fmt.Errorf("il catalogo %s memorizzato non è quello indicato (impronta %.12s… invece di %.12s…)", a.CatalogueKey(), rec.Digest, a.CatalogueDigest)
	}
	a.CatalogueDigest = rec.Digest
	audits := tx.Bucket(bucketAudits)
	for {
		if a.ID, err = newAuditID(); err != nil {
			return nil, err
		}
		if audits.Bucket([]byte(a.ID)) == nil {
			break
		}
	}
	a.Status = checklist.StatusDraft
	a.SignOff = nil
	a.CreatedAt, a.UpdatedAt = now, now
	b, err := audits.CreateBucket([]byte(a.ID))
	if err != nil {
		return nil, err
	}
	for _, name := range auditBuckets {
		if _, err := b.CreateBucket(name); err != nil {
			return nil, err
		}
	}
	at := &auditTx{tx: tx, b: b, audit: a, now: now}
	if err := at.record(checklist.Change{Author: author, Kind: checklist.ChangeAudit,
		New: fmt.Sprintf("audit creato: %s, anno %d, catalogo %s", a.Ente.Name, a.Year, a.CatalogueKey())}); err != nil {
		return nil, err
	}
	return at, at.save()
}

// Audit returns one audit.
func (s *Store) Audit(id string) (checklist.Audit, error) {
	var a checklist.Audit
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		_, a, err = readAudit(tx, id)
		return err
	})
	return a, err
}

// ListAudits returns every audit with its progress, newest first.
func (s *Store) ListAudits() ([]AuditSummary, error) {
	var out []AuditSummary
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = listSummaries(tx)
		return err
	})
	// Sorting small keys and moving each summary once is several times
	// cheaper than sorting the summaries themselves; IDs are unique, so the
	// order is total.
	type key struct {
		at  int64
		id  string
		pos int
	}
	keys := make([]key, len(out))
	for i := range out {
		keys[i] = key{out[i].UpdatedAt.UnixNano(), out[i].ID, i}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(b.at, a.at), cmp.Compare(a.id, b.id)) })
	sorted := make([]AuditSummary, len(out))
	for i, k := range keys {
		sorted[i] = out[k.pos]
	}
	out = sorted
	return out, err
}

// UpdateAudit applies fn to the audit in one transaction and records what
// changed in the history. It refuses closed audits.
//
// fn may change the ente, year, auditors, dates, sedi and postazioni. It
// may not change the ID, the status and sign-off (see SetStatus), the pinned
// catalogue or the creation time, nor remove or rename a sede or postazione
// that already has answers or evaluations.
func (s *Store) UpdateAudit(id, author, reason string, fn func(*checklist.Audit) error) (checklist.Audit, error) {
	var result checklist.Audit
	err := s.writeAudit(id, func(at *auditTx) error {
		if err := at.update(author, reason, fn); err != nil {
			return err
		}
		result = at.audit
		return nil
	})
	if err != nil {
		return checklist.Audit{}, fmt.Errorf("modifica dell'audit %s: %w", id, err)
	}
	return result, nil
}

// update is UpdateAudit inside a transaction: at.audit becomes the edited
// audit and the info is saved only when something changed.
func (at *auditTx) update(author, reason string, fn func(*checklist.Audit) error) error {
	old := at.audit
	edited := cloneAudit(old)
	if err := fn(&edited); err != nil {
		return err
	}
	if err := immutableFields(&old, &edited); err != nil {
		return err
	}
	if err := validateAudit(&edited); err != nil {
		return err
	}
	if err := at.checkRemovedScopes(&edited); err != nil {
		return err
	}
	general, perimeter := diffAudit(&old, &edited)
	if general == nil && perimeter == nil {
		return nil
	}
	at.audit = edited
	for _, d := range []struct {
		kind checklist.ChangeKind
		diff *auditDiff
	}{{checklist.ChangeAudit, general}, {checklist.ChangeScope, perimeter}} {
		if d.diff == nil {
			continue
		}
		if err := at.record(checklist.Change{Author: author, Kind: d.kind, Old: d.diff.old, New: d.diff.new, Reason: reason}); err != nil {
			return err
		}
	}
	return at.save()
}

// cloneAudit deep-copies a so that fn cannot alter the stored value through
// shared slices.
func cloneAudit(a checklist.Audit) checklist.Audit {
	data, _ := json.Marshal(a)
	var c checklist.Audit
	_ = json.Unmarshal(data, &c)
	c.CreatedAt, c.UpdatedAt = a.CreatedAt, a.UpdatedAt // keep the monotonic-free originals
	return c
}

func immutableFields(old, edited *checklist.Audit) error {
	switch {
	case edited.ID != old.ID:
		return errors.New("l'ID dell'audit non si può cambiare")
	case edited.Status != old.Status || !signOffEqual(edited.SignOff, old.SignOff):
		return errors.New("stato e chiusura dell'audit si cambiano dalla pagina «Firma e chiusura» dell'interfaccia, non con una modifica dei dati")
	case edited.CatalogueID != old.CatalogueID || edited.CatalogueVersion != old.CatalogueVersion || edited.CatalogueDigest != old.CatalogueDigest:
		return errors.New("il catalogo di un audit non si può cambiare: creare un nuovo audit")
	case !logoEqual(edited.Logo, old.Logo):
		return errors.New("lo stemma si cambia con cieaudit audit set --logo")
	case !edited.CreatedAt.Equal(old.CreatedAt):
		return errors.New("la data di creazione dell'audit non si può cambiare")
	}
	return nil
}

func logoEqual(a, b *checklist.Logo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func signOffEqual(a, b *checklist.SignOff) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Place == b.Place && a.Date == b.Date && slices.Equal(a.Auditors, b.Auditors)
}

// checkRemovedScopes refuses to drop a scope that still has answers or
// evaluations: they would be orphaned.
func (at *auditTx) checkRemovedScopes(edited *checklist.Audit) error {
	for _, sc := range at.audit.Scopes() {
		if edited.HasScope(sc) {
			continue
		}
		prefix := []byte(sc.String() + "\x00")
		for _, name := range [][]byte{bucketAnswers, bucketEvaluations} {
			if k, _ := at.bucket(name).Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
				return fmt.Errorf("%s ha già risposte o valutazioni registrate: non si può rimuovere né rinominare", sc.Label())
			}
		}
	}
	return nil
}

type auditDiff struct{ old, new string }

// diffAudit describes what changed, as "field: value" lists joined by "; ",
// split between the audit's general data and its perimeter (sedi and
// postazioni). A nil diff means no change.
func diffAudit(old, edited *checklist.Audit) (general, perimeter *auditDiff) {
	og, op := flattenAudit(old)
	ng, np := flattenAudit(edited)
	return diffMaps(og, ng), diffMaps(op, np)
}

func flattenAudit(a *checklist.Audit) (general, perimeter map[string]string) {
	general, perimeter = map[string]string{}, map[string]string{}
	flattenJSON(general, "ente", a.Ente)
	if a.Year != 0 {
		general["anno"] = fmt.Sprint(a.Year)
	}
	flattenJSON(general, "auditor", a.Auditors)
	flattenJSON(general, "inizio", a.StartDate)
	flattenJSON(general, "fine", a.EndDate)
	for _, s := range a.Sedi {
		flattenJSON(perimeter, "sede "+s.Name, s)
	}
	for _, p := range a.Postazioni {
		flattenJSON(perimeter, "postazione "+p.Code, p)
	}
	return general, perimeter
}

// flattenJSON writes v's JSON leaves into m under dotted keys; lists become
// comma-separated text and empty values are left out.
func flattenJSON(m map[string]string, prefix string, v any) {
	data, _ := json.Marshal(v)
	var generic any
	_ = json.Unmarshal(data, &generic)
	var walk func(string, any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				walk(key+"."+k, sub)
			}
		case []any:
			parts := make([]string, 0, len(v))
			for _, e := range v {
				parts = append(parts, fmt.Sprint(e))
			}
			if len(parts) > 0 {
				m[key] = strings.Join(parts, ", ")
			}
		case nil:
		default:
			if s := fmt.Sprint(v); s != "" && s != "0" {
				m[key] = s
			}
		}
	}
	walk(prefix, generic)
}

func diffMaps(old, new map[string]string) *auditDiff {
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range new {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		if old[k] != new[k] {
			sorted = append(sorted, k)
		}
	}
	if len(sorted) == 0 {
		return nil
	}
	sort.Strings(sorted)
	var o, n []string
	for _, k := range sorted {
		if v, ok := old[k]; ok {
			o = append(o, k+": "+v)
		}
		if v, ok := new[k]; ok {
			n = append(n, k+": "+v)
		}
	}
	return &auditDiff{old: strings.Join(o, "; "), new: strings.Join(n, "; ")}
}

// SetStatus moves an audit through bozza → in_corso → chiuso; closing stores
// the sign-off, reopening a closed audit needs a reason. Both go in the history.
//
// A closed audit can only be reopened to in_corso, and an audit that has
// started does not go back to bozza. A sign-off without a date gets today's.
func (s *Store) SetStatus(id string, st checklist.Status, author, reason string, signOff *checklist.SignOff) (checklist.Audit, error) {
	var result checklist.Audit
	err := s.editAudit(id, true, func(at *auditTx) error {
		change, err := at.audit.SetStatus(st, reason, signOff, at.now)
		if err != nil {
			return err
		}
		change.Author = author
		if err := at.record(change); err != nil {
			return err
		}
		result = at.audit
		return at.save()
	})
	if err != nil {
		return checklist.Audit{}, fmt.Errorf("cambio di stato dell'audit %s: %w", id, err)
	}
	return result, nil
}

// deletion is one entry of deleted_audits.
type deletion struct {
	Audit   string    `json:"audit"`
	Ente    string    `json:"ente"`
	Year    int       `json:"year"`
	Author  string    `json:"author"`
	At      time.Time `json:"at"`
	Answers int       `json:"answers"`
}

// DeleteAudit removes an audit and everything under it. Who deleted what
// stays in the deleted_audits journal.
func (s *Store) DeleteAudit(id, author string) error {
	err := s.write(func(tx *bolt.Tx) ([]Event, error) {
		b, a, err := readAudit(tx, id)
		if err != nil {
			return nil, err
		}
		if author == "" {
			author = unknownAuthor
		}
		d := deletion{Audit: id, Ente: a.Ente.Name, Year: a.Year, Author: author, At: s.opts.Now(), Answers: b.Bucket(bucketAnswers).Stats().KeyN}
		journal := tx.Bucket(bucketDeleted)
		journal.FillPercent = appendOnlyFill
		seq, err := journal.NextSequence()
		if err != nil {
			return nil, err
		}
		if err := putJSON(journal, seqKey(seq), d); err != nil {
			return nil, err
		}
		if err := tx.Bucket(bucketAuditIndex).Delete([]byte(id)); err != nil {
			return nil, err
		}
		return []Event{{AuditID: id, Kind: checklist.ChangeAudit, Author: author}}, tx.Bucket(bucketAudits).DeleteBucket([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("eliminazione dell'audit %s: %w", id, err)
	}
	return nil
}

// write is the frame of every write to audits: fn runs in one read-write
// transaction and returns the events it caused; they are published to the
// subscribers once, and only once, the transaction has committed.
func (s *Store) write(fn func(tx *bolt.Tx) ([]Event, error)) error {
	var events []Event
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		events, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	for _, e := range events {
		s.publish(e)
	}
	return nil
}

// writeAudit runs fn on an audit open for writing (closed audits are
// refused) in the write frame; every history entry fn records becomes an
// event. fn saves the audit (at.save) when it changed it.
func (s *Store) writeAudit(id string, fn func(at *auditTx) error) error {
	return s.editAudit(id, false, fn)
}

// editAudit is writeAudit that also opens a closed audit when closedToo is
// set: only SetStatus may, to reopen it.
func (s *Store) editAudit(id string, closedToo bool, fn func(at *auditTx) error) error {
	return s.write(func(tx *bolt.Tx) ([]Event, error) {
		at, err := s.openAudit(tx, id, closedToo)
		if err != nil {
			return nil, err
		}
		if err := fn(at); err != nil {
			return nil, err
		}
		return changeEvents(id, at.changes), nil
	})
}
