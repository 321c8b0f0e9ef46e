package checklist

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ImportedAudit is a whole audit read from a bundle, checked and held in
// memory, ready to be stored in another database (cieaudit import, docs/
// export.md "Import"): the snapshot, with Catalogue parsed from
// CatalogueSource and the stemma's bytes in LogoData, and the contents of
// its evidence files.
type ImportedAudit struct {
	Snapshot *Snapshot
	// CatalogueSource is the catalogue's YAML byte for byte (its SHA-256
	// is Snapshot.Catalogue.Digest); nil when the input did not carry it
	// (a bare audit.json), and the catalogue must then be stored already.
	CatalogueSource []byte
	// Evidence holds the content of every evidence file by SHA-256.
	Evidence map[string][]byte
}

// Counts is what an import reports: how many of each record it holds.
func (imp *ImportedAudit) Counts() ImportCounts {
	s := imp.Snapshot
	return ImportCounts{Answers: len(s.Answers), Evaluations: len(s.Evaluations), History: len(s.History),
		Actions: len(s.Actions), Overrides: len(s.Overrides), Baselines: len(s.Baselines),
		Operators: len(s.Operators), Events: len(s.Events), Carried: len(s.Carried), Evidence: len(s.Evidence)}
}

// ImportCounts counts the records of an imported audit.
type ImportCounts struct {
	Answers, Evaluations, History, Actions, Overrides, Baselines, Operators, Events, Carried, Evidence int
}

// auditIDPattern is what an imported audit ID may be: IDs are bucket keys,
// shown on terminals and typed; the ones cieaudit draws are 8 characters
// of a smaller alphabet, older or test IDs a little longer.
var auditIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// CheckAuditID refuses an audit ID that cieaudit could not have written.
func CheckAuditID(id string) error {
	if !auditIDPattern.MatchString(id) {
		return fmt.Errorf("ID dell'audit \"%s\" non valido: attese da 1 a 64 lettere minuscole, cifre o trattini", CleanText(id, false))
	}
	return nil
}

// registerIDs are the forms of the per-audit register numbers.
var (
	operatorIDPattern = regexp.MustCompile(`^op-[1-9][0-9]{0,8}$`)
	eventIDPattern    = regexp.MustCompile(`^ev-[1-9][0-9]{0,8}$`)
	evidenceIDPattern = regexp.MustCompile(`^al-[1-9][0-9]{0,8}$`)
	sha256Pattern     = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// CheckImported checks an audit read from a bundle before anything is
// stored: the audit and its perimeter (Audit.Validate), the pin to the
// catalogue, every record against the catalogue and the perimeter (scopes
// that exist, items answered at that kind of scope, canonical values,
// sections, threats), unique keys and history sequence numbers, the
// register numbers, and every evidence file (its record, its content's
// digest, size and type, the documented limits) and the stemma against its
// bytes. The error names the field, as audit.json spells it
// ("answers[3].value: …"). now is the importing machine's clock: no
// record may be dated after it (checkImportedTimes).
func CheckImported(imp *ImportedAudit, now time.Time) error {
	s := imp.Snapshot
	if s == nil || s.Catalogue == nil {
		return fmt.Errorf("audit senza catalogo")
	}
	a, cat := &s.Audit, s.Catalogue
	if err := CheckAuditID(a.ID); err != nil {
		return fmt.Errorf("audit.id: %w", err)
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	switch a.Status {
	case StatusDraft, StatusInProgress, StatusClosed:
	default:
		return fmt.Errorf("audit.status: stato \"%s\" non valido (bozza, in_corso o chiuso)", CleanText(string(a.Status), false))
	}
	if a.CatalogueID != cat.ID || a.CatalogueVersion != cat.Version || a.CatalogueDigest != cat.Digest {
		return fmt.Errorf("audit.catalogue_digest: l'audit è vincolato a %s (impronta %.12s…), il catalogo del fascicolo è %s (impronta %.12s…)",
			CleanText(a.CatalogueKey(), false), a.CatalogueDigest, cat.Key(), cat.Digest)
	}
	if imp.CatalogueSource != nil {
		if sum := sha256.Sum256(imp.CatalogueSource); hex.EncodeToString(sum[:]) != cat.Digest {
			return fmt.Errorf("catalogo %s: il testo non corrisponde all'impronta %.12s…", cat.Key(), cat.Digest)
		}
	}
	if a.CreatedAt.IsZero() || a.UpdatedAt.Before(a.CreatedAt) {
		return fmt.Errorf("audit.created_at, audit.updated_at: date di creazione e di modifica mancanti o in ordine inverso")
	}
	checks := []func(*Snapshot) error{checkImportedAnswers, checkImportedEvaluations, checkImportedHistory,
		checkImportedActions, checkImportedRegisters}
	for _, check := range checks {
		if err := check(s); err != nil {
			return err
		}
	}
	if err := checkImportedEvidence(s, imp.Evidence); err != nil {
		return err
	}
	if err := checkImportedLogo(s); err != nil {
		return err
	}
	if err := checkImportedTimes(s, now); err != nil {
		return err
	}
	return checkImportedTexts(s)
}

// checkImportedTexts refuses text longer than MaxTextBytes, and text that
// CleanText would change on a terminal (control characters, bidirectional
// overrides, invalid UTF-8):
// everything cieaudit stores went through it, so such text in a bundle was
// put there by hand, and it would reach other users' terminals as stored.
func checkImportedTexts(s *Snapshot) error {
	parts := []struct {
		field string
		v     any
	}{
		{"audit", s.Audit}, {"answers", s.Answers}, {"evaluations", s.Evaluations}, {"history", s.History},
		{"action_plans", s.Actions}, {"overrides", s.Overrides}, {"plan", s.Plan}, {"baselines", s.Baselines},
		{"operators", s.Operators}, {"events", s.Events}, {"carried", s.Carried}, {"upgrade", s.Upgrade}, {"evidence", s.Evidence},
	}
	for _, p := range parts {
		if at, long, ok := unsafeTextIn(reflect.ValueOf(p.v), p.field); ok {
			if long != nil {
				return long
			}
			return fmt.Errorf("%s: testo con caratteri di controllo o non UTF-8, che cieaudit non memorizza mai così", at)
		}
	}
	return nil
}

// unsafeTextIn finds the first string in v, walking structs (by JSON name),
// slices, maps and pointers, that holds a rune CleanText escapes or is
// longer than MaxTextBytes (then long is CheckTextLength's error).
func unsafeTextIn(v reflect.Value, at string) (where string, long error, found bool) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		limit := MaxTextBytes
		if strings.HasPrefix(at, "history[") {
			limit = MaxHistoryTextBytes
		}
		if err := checkTextBytes(at, s, limit); err != nil {
			return at, err, true
		}
		return at, nil, !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unsafeRune(r, true) })
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", nil, false
		}
		return unsafeTextIn(v.Elem(), at)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, long, ok := unsafeTextIn(v.Index(i), fmt.Sprintf("%s[%d]", at, i)); ok {
				return p, long, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if p, long, ok := unsafeTextIn(it.Key(), at); ok {
				return p, long, true
			}
			if p, long, ok := unsafeTextIn(it.Value(), fmt.Sprintf("%s[%s]", at, CleanText(fmt.Sprint(it.Key().Interface()), false))); ok {
				return p, long, true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if p, long, ok := unsafeTextIn(v.Field(i), at+"."+name); ok {
				return p, long, true
			}
		}
	}
	return "", nil, false
}

// itemAt is the catalogue item answered at scope, or an error naming it.
// An evidence file may name a scope removed from the perimeter since
// (inPerimeter false); an answer may not.
func itemAt(s *Snapshot, scope Scope, item string, inPerimeter bool) (*Item, error) {
	if inPerimeter && !s.Audit.HasScope(scope) {
		return nil, fmt.Errorf("ambito \"%s\" non presente nel perimetro dell'audit", CleanText(scope.String(), false))
	}
	it := s.Catalogue.Item(item)
	if it == nil {
		return nil, fmt.Errorf("misura \"%s\" non presente nel catalogo %s", CleanText(item, false), s.Catalogue.Key())
	}
	if it.Scope != scope.Kind {
		return nil, fmt.Errorf("la misura %s si valuta per ambito %s, non %s", it.ID, strings.ToLower(it.Scope.Label()), strings.ToLower(scope.Kind.Label()))
	}
	return it, nil
}

// checkAnswerList checks answers (or carried answers) under field.
func checkAnswerList(s *Snapshot, field string, list []Answer, carried bool) error {
	seen := map[string]bool{}
	for i, ans := range list {
		at := fmt.Sprintf("%s[%d]", field, i)
		it, err := itemAt(s, ans.Scope, ans.Item, !carried)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		key := ans.Scope.String() + "\x00" + ans.Item
		if seen[key] {
			return fmt.Errorf("%s: seconda risposta per %s (%s)", at, it.ID, CleanText(ans.Scope.String(), false))
		}
		seen[key] = true
		if err := CheckTextLength(at+".note", ans.Note); err != nil {
			return err
		}
		if _, err := NormaliseAnswer(it, ans.Value, ans.Note); err != nil {
			return fmt.Errorf("%s.value: %w", at, err)
		}
		if ans.Rev < 0 || carried && ans.Rev != 0 {
			return fmt.Errorf("%s.rev: numero di modifiche %d non valido", at, ans.Rev)
		}
	}
	return nil
}

func checkImportedAnswers(s *Snapshot) error {
	if err := checkAnswerList(s, "answers", s.Answers, false); err != nil {
		return err
	}
	return checkAnswerList(s, "carried", s.Carried, true)
}

func checkImportedEvaluations(s *Snapshot) error {
	seen := map[string]bool{}
	for i, e := range s.Evaluations {
		at := fmt.Sprintf("evaluations[%d]", i)
		if !s.Audit.HasScope(e.Scope) {
			return fmt.Errorf("%s.scope: ambito \"%s\" non presente nel perimetro dell'audit", at, CleanText(e.Scope.String(), false))
		}
		if s.Catalogue.Section(e.Section) == nil {
			return fmt.Errorf("%s.section: sezione \"%s\" non presente nel catalogo %s", at, CleanText(e.Section, false), s.Catalogue.Key())
		}
		key := e.Scope.String() + "\x00" + e.Section
		if seen[key] || strings.TrimSpace(e.Text) == "" {
			return fmt.Errorf("%s: valutazione vuota o ripetuta per la sezione %s", at, e.Section)
		}
		seen[key] = true
	}
	return nil
}

func checkImportedHistory(s *Snapshot) error {
	var last uint64
	for i, c := range s.History {
		if c.Seq <= last {
			return fmt.Errorf("history[%d].seq: numero %d non successivo al precedente (%d): la cronologia va in ordine crescente, senza ripetizioni", i, c.Seq, last)
		}
		last = c.Seq
		if c.Kind == "" || c.At.IsZero() {
			return fmt.Errorf("history[%d]: tipo o data mancante", i)
		}
	}
	return nil
}

func checkImportedActions(s *Snapshot) error {
	for key, p := range s.Actions {
		at := fmt.Sprintf("action_plans (%s)", CleanText(key, false))
		if key != p.Item {
			return fmt.Errorf("%s: azione ripetuta", at)
		}
		if s.Catalogue.Item(p.Item) == nil {
			return fmt.Errorf("%s: misura non presente nel catalogo %s", at, s.Catalogue.Key())
		}
		switch p.Status {
		case ActionToStart, ActionInProgress, ActionDone:
		default:
			return fmt.Errorf("%s.status: stato \"%s\" non valido", at, CleanText(string(p.Status), false))
		}
	}
	for key, o := range s.Overrides {
		at := fmt.Sprintf("overrides (%s)", CleanText(key, false))
		if key != o.Threat {
			return fmt.Errorf("%s: rischio ripetuto", at)
		}
		if _, err := CheckRiskOverride(s.Catalogue, o); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
	}
	return nil
}

// checkImportedRegisters checks the cycle's records: unique register
// numbers in their form, scopes in the perimeter, baselines in sequence.
func checkImportedRegisters(s *Snapshot) error {
	if err := s.Plan.Validate(); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	last := 0
	for i, b := range s.Baselines {
		if b.Seq <= last {
			return fmt.Errorf("baselines[%d].seq: numero %d non successivo al precedente (%d)", i, b.Seq, last)
		}
		last = b.Seq
	}
	seen := map[string]bool{}
	for i, o := range s.Operators {
		if !operatorIDPattern.MatchString(o.ID) || seen[o.ID] {
			return fmt.Errorf("operators[%d].id: \"%s\" non valido o ripetuto (op-N)", i, CleanText(o.ID, false))
		}
		seen[o.ID] = true
	}
	for i, e := range s.Events {
		if !eventIDPattern.MatchString(e.ID) || seen[e.ID] {
			return fmt.Errorf("events[%d].id: \"%s\" non valido o ripetuto (ev-N)", i, CleanText(e.ID, false))
		}
		seen[e.ID] = true
	}
	return nil
}

// checkImportedEvidence checks every evidence record against its content
// and the documented limits (MaxEvidenceBytes, MaxEvidenceAuditBytes,
// MaxEvidenceFiles), and that no content is left without a record.
func checkImportedEvidence(s *Snapshot, contents map[string][]byte) error {
	if len(s.Evidence) > MaxEvidenceFiles {
		return fmt.Errorf("evidence: %d allegati, oltre il massimo di %d per audit", len(s.Evidence), MaxEvidenceFiles)
	}
	seen, used := map[string]bool{}, map[string]bool{}
	var total int64
	for i, e := range s.Evidence {
		at := fmt.Sprintf("evidence[%d] (%s)", i, CleanText(e.ID, false))
		switch {
		case !evidenceIDPattern.MatchString(e.ID) || seen[e.ID]:
			return fmt.Errorf("%s.id: non valido o ripetuto (al-N)", at)
		case !sha256Pattern.MatchString(e.Digest):
			return fmt.Errorf("%s.sha256: non è un SHA-256 esadecimale minuscolo", at)
		case e.Size <= 0 || e.Size > MaxEvidenceBytes:
			return fmt.Errorf("%s.size: %d byte, fuori dal limite di %d MiB per allegato", at, e.Size, MaxEvidenceBytes>>20)
		}
		seen[e.ID] = true
		if _, err := itemAt(s, e.Scope, e.Item, false); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		if name, err := EvidenceName(e.Name); err != nil || name != e.Name {
			return fmt.Errorf("%s.name: nome \"%s\" non nella forma memorizzata", at, CleanText(e.Name, false))
		}
		data, ok := contents[e.Digest]
		if !ok {
			return fmt.Errorf("%s: contenuto (sha256 %.12s…) mancante", at, e.Digest)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != e.Digest {
			return fmt.Errorf("%s: il contenuto non corrisponde al suo sha256 %.12s…", at, e.Digest)
		}
		if int64(len(data)) != e.Size {
			return fmt.Errorf("%s.size: %d byte dichiarati, il contenuto ne ha %d", at, e.Size, len(data))
		}
		if mime, err := DetectEvidenceType(data); err != nil || mime != e.Type {
			return fmt.Errorf("%s.type: tipo \"%s\" dichiarato, il contenuto non lo è", at, CleanText(e.Type, false))
		}
		if !used[e.Digest] {
			used[e.Digest] = true
			total += e.Size
		}
	}
	if total > MaxEvidenceAuditBytes {
		return fmt.Errorf("evidence: %s di allegati, oltre il limite di %d MiB per audit", FormatBytes(total), MaxEvidenceAuditBytes>>20)
	}
	for digest := range contents {
		if !used[digest] {
			return fmt.Errorf("evidence: contenuto sha256 %.12s… senza un allegato che lo nomini", CleanText(digest, false))
		}
	}
	return nil
}

func checkImportedLogo(s *Snapshot) error {
	l := s.Audit.Logo
	switch {
	case l == nil && s.LogoData != nil:
		return fmt.Errorf("stemma presente ma non indicato in audit.logo")
	case l == nil:
		return nil
	case s.LogoData == nil:
		return fmt.Errorf("audit.logo: il file %s manca", l.FileName())
	}
	got, err := CheckLogo(l.FileName(), s.LogoData)
	if err != nil {
		return err
	}
	if got != *l {
		return fmt.Errorf("audit.logo: il file %s non corrisponde (sha256, tipo, dimensioni)", l.FileName())
	}
	return nil
}

// EvidenceSequence is the last evidence number an audit has used: the
// highest al-N among its records and among the files its history says were
// attached or removed. An imported audit continues from it, so that a
// number is never given to a second file.
func EvidenceSequence(s *Snapshot) uint64 {
	var n uint64
	bump := func(id string) {
		if k, err := strconv.ParseUint(strings.TrimPrefix(id, "al-"), 10, 32); err == nil && strings.HasPrefix(id, "al-") && k > n {
			n = k
		}
	}
	for _, e := range s.Evidence {
		bump(e.ID)
	}
	for _, c := range s.History {
		if c.Kind != ChangeEvidence {
			continue
		}
		for _, text := range []string{c.Old, c.New} {
			if id, _, ok := strings.Cut(text, ":"); ok && utf8.ValidString(id) {
				bump(id)
			}
		}
	}
	return n
}
