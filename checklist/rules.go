package checklist

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the rules on the values an auditor types: codes, years,
// dates, numbers, names. The CLI (flag checks), the TUI (huh Validate) and
// storage (inside its transaction) call the same functions, so the same
// input gets the same Italian message wherever it is typed. Each message
// names the field in Italian; FieldError also carries the field's key.

// FieldError is a value refused by a rule. Error is the whole Italian
// sentence, which already names the field; Field is the field's key
// (e.g. "istat", "year") for callers that point at it.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Message }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// MaxNameRunes bounds the ente's name and a sede's name, wherever they
// are typed or imported. The ente's name is in the header of every page of
// the report (a name of 1 MiB made an export take minutes and gigabytes),
// and a sede's name is part of the database keys of its answers, which
// bbolt caps at 32 KiB. The longest Italian comune name is far shorter.
const MaxNameRunes = 200

// checkNameLength refuses a name of more than MaxNameRunes characters;
// what is the field's Italian name ("nome dell'ente").
func checkNameLength(field, what, name string) error {
	if n := utf8.RuneCountInString(name); n > MaxNameRunes {
		return fieldErr(field, "%s troppo lungo (%d caratteri): al massimo %d caratteri", what, n, MaxNameRunes)
	}
	return nil
}

// Audit years are bounded the same everywhere: the decree on CIE
// workstations is of 2005, and a year past 2100 is a typo.
const (
	MinAuditYear = 2005
	MaxAuditYear = 2100
)

// Dates are plausible between these years (both included): an answer,
// a deadline or a signature date outside them is a typo.
const (
	MinDateYear = 2000
	MaxDateYear = 2100
)

// CheckYear refuses an audit year outside MinAuditYear..MaxAuditYear.
func CheckYear(year int) error {
	if year < MinAuditYear || year > MaxAuditYear {
		return fieldErr("year", "anno %d non valido: l'anno dell'audit va dal %d al %d, ad esempio 2026", year, MinAuditYear, MaxAuditYear)
	}
	return nil
}

// ParseYear reads an audit year typed as text and checks its bounds.
func ParseYear(raw string) (int, error) {
	s := strings.TrimSpace(raw)
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 {
		return 0, fieldErr("year", "anno %q non valido: scrivere quattro cifre, dal %d al %d, ad esempio 2026", s, MinAuditYear, MaxAuditYear)
	}
	return y, CheckYear(y)
}

var istatPattern = regexp.MustCompile(`^[0-9]{6}$`)

// CheckISTAT returns the comune's ISTAT code trimmed, or an error when it
// is not exactly six digits (no sign, no spaces inside).
func CheckISTAT(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if !istatPattern.MatchString(s) {
		return "", fieldErr("istat", "codice ISTAT %q non valido: servono 6 cifre, ad esempio 054039", s)
	}
	return s, nil
}

// ParseDate reads a calendar date written as AAAA-MM-GG (ISO) or
// GG/MM/AAAA (Italian, also G/M/AAAA) and checks that its year is between
// MinDateYear and MaxDateYear. what names the field in Italian, e.g.
// "data di chiusura"; the error starts with it.
func ParseDate(what, raw string) (time.Time, error) {
	s := strings.TrimSpace(raw)
	var d time.Time
	var err error
	if strings.Contains(s, "/") {
		d, err = time.Parse("2/1/2006", s)
	} else {
		d, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		return time.Time{}, fieldErr(what, "%s %q non valida: scrivere AAAA-MM-GG o GG/MM/AAAA, ad esempio 2026-11-22 o 22/11/2026", what, s)
	}
	if d.Year() < MinDateYear || d.Year() > MaxDateYear {
		return time.Time{}, fieldErr(what, "%s %q non plausibile: l'anno deve essere tra il %d e il %d", what, s, MinDateYear, MaxDateYear)
	}
	return d, nil
}

// NormaliseDate is ParseDate returning the date as it is stored, AAAA-MM-GG.
func NormaliseDate(what, raw string) (string, error) {
	d, err := ParseDate(what, raw)
	if err != nil {
		return "", err
	}
	return d.Format(time.DateOnly), nil
}

// ParseNumber reads a number written the Italian way: comma for decimals
// and dot for thousands ("5.200" is 5200, "2,5" is 2.5, "1.234,5" is
// 1234.5). Without a comma, a dot followed by exactly three digits groups
// thousands; any other single dot is read as a decimal point ("2.5").
// what names the field in Italian.
func ParseNumber(what, raw string) (float64, error) {
	s := strings.TrimSpace(raw)
	bad := func() (float64, error) {
		return 0, fieldErr(what, "%s %q non è un numero: scrivere ad esempio 5200, 5.200 o 2,5", what, s)
	}
	num := s
	if intPart, frac, hasComma := strings.Cut(s, ","); hasComma {
		if strings.Contains(frac, ",") || strings.Contains(frac, ".") {
			return bad()
		}
		grouped, ok := ungroup(intPart)
		if !ok {
			return bad()
		}
		num = grouped + "." + frac
	} else if strings.Count(s, ".") > 1 || thousands.MatchString(s) {
		grouped, ok := ungroup(s)
		if !ok {
			return bad()
		}
		num = grouped
	}
	if !plainNumber.MatchString(num) {
		return bad()
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return bad()
	}
	return f, nil
}

var (
	plainNumber = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	thousands   = regexp.MustCompile(`^[+-]?[0-9]{1,3}\.[0-9]{3}$`)
	grouped     = regexp.MustCompile(`^[+-]?[0-9]{1,3}(\.[0-9]{3})*$`)
)

// ungroup removes the thousands dots of an integer part, which must then
// be grouped by three ("1.234.567"); an integer part without dots is kept.
func ungroup(s string) (string, bool) {
	if !strings.Contains(s, ".") {
		return s, true
	}
	if !grouped.MatchString(s) {
		return "", false
	}
	return strings.ReplaceAll(s, ".", ""), true
}

// ParseCount reads a count (people, workstations, inhabitants): a
// non-negative integer, thousands dots allowed ("8.420").
func ParseCount(what, raw string) (int, error) {
	f, err := ParseNumber(what, raw)
	if err != nil || f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
		return 0, fieldErr(what, "%s %q non è un numero intero non negativo: scrivere ad esempio 8420 o 8.420", what, strings.TrimSpace(raw))
	}
	return int(f), nil
}

// FormatNumber is the canonical text of a number as stored in answers. It
// must read back as the same number: 1.234 printed plainly would read as
// one thousand two hundred and thirty-four (ParseNumber takes "5.200" as
// 5200), so a number of that shape gets a trailing zero ("1.2340").
func FormatNumber(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if thousands.MatchString(s) {
		s += "0"
	}
	return s
}

// NormalisePostazioneCode is a workstation code as stored: trimmed and
// upper case (Ministry codes such as PG0540A01 are compared without case).
func NormalisePostazioneCode(raw string) string { return strings.ToUpper(strings.TrimSpace(raw)) }

// NormaliseSedeName is a sede name as stored: trimmed, inner runs of
// spaces collapsed to one. Names are compared without case.
func NormaliseSedeName(raw string) string { return strings.Join(strings.Fields(raw), " ") }

// CheckPostazioneCode refuses an empty code or one with characters that
// cannot be part of a Ministry code (spaces, controls, ':').
func CheckPostazioneCode(raw string) (string, error) {
	code := NormalisePostazioneCode(raw)
	switch {
	case code == "":
		return "", fieldErr("code", "codice della postazione mancante: indicare il codice assegnato dal Ministero, ad esempio PG0540A01")
	case strings.ContainsFunc(code, func(r rune) bool { return r <= ' ' || r == 0x7f || r == ':' || unsafeRune(r, false) }):
		return "", fieldErr("code", "codice della postazione %q non valido: niente spazi, «:» o caratteri di controllo", CleanText(code, false))
	}
	return code, nil
}

// CheckSedeName refuses an empty sede name or one with control characters.
func CheckSedeName(raw string) (string, error) {
	name := NormaliseSedeName(raw)
	switch {
	case name == "":
		return "", fieldErr("sede", "nome della sede mancante")
	case strings.ContainsFunc(name, func(r rune) bool { return unsafeRune(r, false) }):
		return "", fieldErr("sede", "nome della sede %q non valido: contiene caratteri di controllo", CleanText(name, false))
	}
	if err := checkNameLength("sede", "nome della sede", name); err != nil {
		return "", err
	}
	return name, nil
}

// FindSede returns the sede whose name equals name ignoring case, or nil.
func (a *Audit) FindSede(name string) *Sede {
	name = NormaliseSedeName(name)
	for i := range a.Sedi {
		if strings.EqualFold(a.Sedi[i].Name, name) {
			return &a.Sedi[i]
		}
	}
	return nil
}

// FindPostazione returns the workstation whose code equals code ignoring
// case, or nil.
func (a *Audit) FindPostazione(code string) *Postazione {
	code = NormalisePostazioneCode(code)
	for i := range a.Postazioni {
		if strings.EqualFold(a.Postazioni[i].Code, code) {
			return &a.Postazioni[i]
		}
	}
	return nil
}

// CheckNewSede returns the normalised name of a sede to add, refusing one
// that exists already in any case.
func (a *Audit) CheckNewSede(raw string) (string, error) {
	name, err := CheckSedeName(raw)
	if err != nil {
		return "", err
	}
	if s := a.FindSede(name); s != nil {
		return "", fieldErr("sede", "esiste già una sede «%s» (i nomi non distinguono maiuscole e minuscole)", s.Name)
	}
	return name, nil
}

// CheckNewPostazione returns the normalised code of a workstation to add,
// refusing one that exists already in any case.
func (a *Audit) CheckNewPostazione(raw string) (string, error) {
	code, err := CheckPostazioneCode(raw)
	if err != nil {
		return "", err
	}
	if p := a.FindPostazione(code); p != nil {
		return "", fieldErr("code", "esiste già una postazione %s (i codici non distinguono maiuscole e minuscole)", p.Code)
	}
	return code, nil
}

// CheckOffice refuses an office other than front, back or empty.
func CheckOffice(o Office) error {
	if o != "" && o != OfficeFront && o != OfficeBack {
		return fieldErr("office", "ufficio %q non valido: usare front o back", o)
	}
	return nil
}

// AddSede adds a sede after the same checks as CheckNewSede.
func (a *Audit) AddSede(s Sede) error {
	name, err := a.CheckNewSede(s.Name)
	if err != nil {
		return err
	}
	s.Name = name
	a.Sedi = append(a.Sedi, s)
	return nil
}

// AddPostazione adds a workstation to an existing sede, or creates the
// sede when createSede is set; it reports whether it created the sede.
func (a *Audit) AddPostazione(p Postazione, createSede bool) (newSede bool, err error) {
	code, err := a.CheckNewPostazione(p.Code)
	if err != nil {
		return false, err
	}
	if err := CheckOffice(p.Office); err != nil {
		return false, err
	}
	sedeName, err := CheckSedeName(p.Sede)
	if err != nil {
		return false, err
	}
	if s := a.FindSede(sedeName); s != nil {
		sedeName = s.Name
	} else if !createSede {
		return false, fieldErr("sede", "sede «%s» non presente nell'audit", sedeName)
	} else {
		if err := a.AddSede(Sede{Name: sedeName}); err != nil {
			return false, err
		}
		newSede = true
	}
	p.Code, p.Sede = code, sedeName
	a.Postazioni = append(a.Postazioni, p)
	return newSede, nil
}

// Normalise rewrites the dates of the audit that ParseDate accepts in
// their stored form, AAAA-MM-GG; Validate reports the others.
func (a *Audit) Normalise() {
	for _, d := range []*string{&a.StartDate, &a.EndDate} {
		if n, err := NormaliseDate("data", *d); err == nil {
			*d = n
		}
	}
}

// Validate checks what an auditor types about the ente and its perimeter.
// All problems are reported together, each after the path of its field
// (e.g. "postazioni[1].code: ...").
func (a *Audit) Validate() error {
	var problems []string
	add := func(path string, err error) {
		if err != nil {
			problems = append(problems, path+": "+err.Error())
		}
	}
	if strings.TrimSpace(a.Ente.Name) == "" {
		add("ente.name", fieldErr("ente.name", "nome dell'ente mancante"))
	}
	add("ente.name", checkNameLength("ente.name", "nome dell'ente", a.Ente.Name))
	if a.Ente.ISTAT != "" {
		_, err := CheckISTAT(a.Ente.ISTAT)
		add("ente.istat", err)
	}
	if a.Ente.Population < 0 {
		add("ente.population", fieldErr("ente.population", "popolazione %d non valida: serve un numero intero non negativo", a.Ente.Population))
	}
	add("year", CheckYear(a.Year))
	for _, d := range []struct{ path, what, value string }{{"start_date", "data di inizio", a.StartDate}, {"end_date", "data di fine", a.EndDate}} {
		if d.value == "" {
			continue
		}
		if n, err := NormaliseDate(d.what, d.value); err != nil {
			add(d.path, err)
		} else if n != d.value {
			add(d.path, fieldErr(d.path, "%s %q non nella forma memorizzata AAAA-MM-GG", d.what, d.value))
		}
	}
	if a.StartDate != "" && a.EndDate != "" && a.EndDate < a.StartDate {
		add("end_date", fieldErr("end_date", "la data di fine (%s) precede la data di inizio (%s)", a.EndDate, a.StartDate))
	}
	seenSede := map[string]bool{}
	for i, s := range a.Sedi {
		path := fmt.Sprintf("sedi[%d].name", i)
		name, err := CheckSedeName(s.Name)
		switch {
		case err != nil:
			add(path, err)
		case name != s.Name:
			add(path, fieldErr("sede", "nome della sede %q con spazi iniziali, finali o doppi", s.Name))
		case seenSede[strings.ToLower(name)]:
			add(path, fieldErr("sede", "sede «%s» ripetuta (i nomi non distinguono maiuscole e minuscole)", name))
		}
		seenSede[strings.ToLower(name)] = true
	}
	seenCode := map[string]bool{}
	for i, p := range a.Postazioni {
		path := fmt.Sprintf("postazioni[%d]", i)
		code, err := CheckPostazioneCode(p.Code)
		switch {
		case err != nil:
			add(path+".code", err)
		case !strings.EqualFold(code, p.Code):
			add(path+".code", fieldErr("code", "codice della postazione %q con spazi iniziali o finali", p.Code))
		case seenCode[code]:
			add(path+".code", fieldErr("code", "postazione %s ripetuta (i codici non distinguono maiuscole e minuscole)", code))
		}
		seenCode[code] = true
		if p.Sede != "" && a.Sede(p.Sede) == nil {
			add(path+".sede", fieldErr("sede", "sede «%s» della postazione %s non presente nell'audit", p.Sede, p.Code))
		}
		add(path+".office", CheckOffice(p.Office))
		add(path+".notes", CheckTextLength("note della postazione", p.Notes))
	}
	if len(problems) > 0 {
		return fmt.Errorf("dati dell'audit non validi: %s", strings.Join(problems, "; "))
	}
	return nil
}

// RenameSede renames a sede (found ignoring case) and moves its
// postazioni along; the new name follows the rules of a new sede, though
// it may differ from the old one only in case. It returns the sede's scope
// before and after.
func (a *Audit) RenameSede(old, new string) (from, to Scope, err error) {
	s := a.FindSede(old)
	if s == nil {
		return from, to, fieldErr("sede", "sede «%s» non presente nell'audit", NormaliseSedeName(old))
	}
	name, err := CheckSedeName(new)
	if err != nil {
		return from, to, err
	}
	if other := a.FindSede(name); other != nil && other != s {
		return from, to, fieldErr("sede", "esiste già una sede «%s» (i nomi non distinguono maiuscole e minuscole)", other.Name)
	}
	from, to = Scope{Kind: ScopeSede, Name: s.Name}, Scope{Kind: ScopeSede, Name: name}
	for i := range a.Postazioni {
		if a.Postazioni[i].Sede == s.Name {
			a.Postazioni[i].Sede = name
		}
	}
	s.Name = name
	return from, to, nil
}

// RenamePostazione changes a workstation's code (found ignoring case); the
// new code follows the rules of a new one. It returns the scope before and
// after.
func (a *Audit) RenamePostazione(old, new string) (from, to Scope, err error) {
	p := a.FindPostazione(old)
	if p == nil {
		return from, to, fieldErr("code", "postazione %s non presente nell'audit", NormalisePostazioneCode(old))
	}
	code, err := CheckPostazioneCode(new)
	if err != nil {
		return from, to, err
	}
	if other := a.FindPostazione(code); other != nil && other != p {
		return from, to, fieldErr("code", "esiste già una postazione %s (i codici non distinguono maiuscole e minuscole)", other.Code)
	}
	from, to = Scope{Kind: ScopePostazione, Name: p.Code}, Scope{Kind: ScopePostazione, Name: code}
	p.Code = code
	return from, to, nil
}

// RemoveScope removes a sede or a postazione (found ignoring case) and
// returns the scope removed. A sede that still has postazioni is refused:
// they are removed or moved first. Whether its answers may go is the
// caller's question (storage asks for a confirmation).
func (a *Audit) RemoveScope(sc Scope) (Scope, error) {
	switch sc.Kind {
	case ScopeSede:
		s := a.FindSede(sc.Name)
		if s == nil {
			return sc, fieldErr("sede", "sede «%s» non presente nell'audit", NormaliseSedeName(sc.Name))
		}
		var codes []string
		for _, p := range a.Postazioni {
			if p.Sede == s.Name {
				codes = append(codes, p.Code)
			}
		}
		if len(codes) > 0 {
			return sc, fieldErr("sede", "la sede «%s» ha ancora le postazioni %s: rimuoverle o spostarle prima", s.Name, strings.Join(codes, ", "))
		}
		removed := Scope{Kind: ScopeSede, Name: s.Name}
		a.Sedi = slices.DeleteFunc(a.Sedi, func(x Sede) bool { return x.Name == removed.Name })
		return removed, nil
	case ScopePostazione:
		p := a.FindPostazione(sc.Name)
		if p == nil {
			return sc, fieldErr("code", "postazione %s non presente nell'audit", NormalisePostazioneCode(sc.Name))
		}
		removed := Scope{Kind: ScopePostazione, Name: p.Code}
		a.Postazioni = slices.DeleteFunc(a.Postazioni, func(x Postazione) bool { return x.Code == removed.Name })
		return removed, nil
	}
	return sc, fieldErr("scope", "si possono rimuovere solo sedi e postazioni, non %s", sc.Label())
}
