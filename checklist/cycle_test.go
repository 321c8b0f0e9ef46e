package checklist

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestApplyPlanChange(t *testing.T) {
	const today = "2026-12-01"
	sent := Plan{Edition: EditionBeta, SentOn: "2026-10-15", Channel: ChannelPEC, Protocol: "123", AdoptedOn: "2026-10-01"}
	tests := []struct {
		name     string
		old      Plan
		change   PlanChange
		want     Plan
		sent     bool
		errField string // the field the message must start with
	}{
		{name: "edition only", change: PlanChange{Edition: ptr("Beta")}, want: Plan{Edition: EditionBeta}},
		{name: "aggiornamento needs a number", change: PlanChange{Edition: ptr("aggiornamento")}, errField: "--number"},
		{name: "aggiornamento n. 2", change: PlanChange{Edition: ptr("aggiornamento"), Number: ptr(2)},
			want: Plan{Edition: EditionUpdate, Number: 2}},
		{name: "number without aggiornamento", change: PlanChange{Edition: ptr("beta"), Number: ptr(2)}, errField: "--number"},
		{name: "unknown edition", change: PlanChange{Edition: ptr("gamma")}, errField: "--edition"},
		{name: "transmission in Italian date form", old: Plan{Edition: EditionBeta},
			change: PlanChange{SentOn: ptr("15/10/2026"), Channel: ptr("PEC")},
			want:   Plan{Edition: EditionBeta, SentOn: "2026-10-15", Channel: ChannelPEC}, sent: true},
		{name: "transmission without edition", change: PlanChange{SentOn: ptr("2026-10-15")}, errField: "--edition"},
		{name: "transmission in the future", old: Plan{Edition: EditionBeta}, change: PlanChange{SentOn: ptr("2027-01-02")}, errField: "--sent-on"},
		{name: "bad date", old: Plan{Edition: EditionBeta}, change: PlanChange{SentOn: ptr("31/02/2026")}, errField: "--sent-on"},
		{name: "bad channel", old: sent, change: PlanChange{Channel: ptr("fax")}, errField: "--channel"},
		{name: "channel without transmission", old: Plan{Edition: EditionBeta}, change: PlanChange{Channel: ptr("pec")}, errField: "--sent-on"},
		{name: "sent before adoption", old: Plan{Edition: EditionBeta, AdoptedOn: "2026-10-20"}, change: PlanChange{SentOn: ptr("2026-10-15")}, errField: "--sent-on"},
		{name: "outcome", old: sent, change: PlanChange{Outcome: ptr("conforme"), OutcomeOn: ptr("2026-11-10")},
			want: func() Plan { p := sent; p.Outcome, p.OutcomeOn = OutcomeConforming, "2026-11-10"; return p }()},
		{name: "outcome before transmission", old: sent, change: PlanChange{Outcome: ptr("conforme"), OutcomeOn: ptr("2026-10-01")}, errField: "--outcome-on"},
		{name: "remarks need their text", old: sent, change: PlanChange{Outcome: ptr("rilievi")}, errField: "--outcome-note"},
		{name: "bad outcome", old: sent, change: PlanChange{Outcome: ptr("ok")}, errField: "--outcome"},
		{name: "same transmission again is not a new one", old: sent, change: PlanChange{SentOn: ptr("2026-10-15")}, want: sent},
		{name: "new edition clears the old transmission", old: sent,
			change: PlanChange{Edition: ptr("aggiornamento"), Number: ptr(1)},
			want:   Plan{Edition: EditionUpdate, Number: 1}},
		{name: "new edition sent at once", old: sent,
			change: PlanChange{Edition: ptr("aggiornamento"), Number: ptr(1), SentOn: ptr("2026-11-30"), Channel: ptr("cartaceo")},
			want:   Plan{Edition: EditionUpdate, Number: 1, SentOn: "2026-11-30", Channel: ChannelPaper}, sent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sentNow, err := ApplyPlanChange(tt.old, tt.change, today)
			if tt.errField != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.errField+":") {
					t.Fatalf("error %v, want one naming %s", err, tt.errField)
				}
				if got != tt.old {
					t.Errorf("a refused change returned %+v, want the old plan", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || sentNow != tt.sent {
				t.Errorf("got %+v sent=%v, want %+v sent=%v", got, sentNow, tt.want, tt.sent)
			}
		})
	}
}

func TestPrefetturaTerm(t *testing.T) {
	tests := []struct {
		plan    Plan
		today   string
		ends    string
		runsOut bool
	}{
		{Plan{}, "2026-12-01", "", false},
		{Plan{Edition: EditionBeta, SentOn: "2026-10-15"}, "2026-11-14", "2026-11-14", false},
		{Plan{Edition: EditionBeta, SentOn: "2026-10-15"}, "2026-11-15", "2026-11-14", true},
		// Across the year end.
		{Plan{Edition: EditionBeta, SentOn: "2026-12-15"}, "2027-01-14", "2027-01-14", false},
		{Plan{Edition: EditionBeta, SentOn: "2026-12-15"}, "2027-01-15", "2027-01-14", true},
		{Plan{Edition: EditionBeta, SentOn: "2026-10-15", Outcome: OutcomeConforming}, "2027-01-15", "2026-11-14", false},
	}
	for _, tt := range tests {
		if got := tt.plan.TermEnds(); got != tt.ends {
			t.Errorf("%+v: term ends %q, want %q", tt.plan, got, tt.ends)
		}
		if got := tt.plan.TermRunOut(tt.today); got != tt.runsOut {
			t.Errorf("%+v on %s: run out %v, want %v", tt.plan, tt.today, got, tt.runsOut)
		}
	}
}

func TestQuarters(t *testing.T) {
	tests := []struct {
		in               string
		want             string
		start, end, due  string
		prev, next       string
		containsEndOfDay string
	}{
		{"2026Q4", "2026Q4", "2026-10-01", "2026-12-31", "2026-12-30", "2026Q3", "2027Q1", "2026-12-31T23:59"},
		{"2027-q1", "2027Q1", "2027-01-01", "2027-03-31", "2027-03-31", "2026Q4", "2027Q2", "2027-03-31"},
		{"Q2/2026", "2026Q2", "2026-04-01", "2026-06-30", "2026-06-30", "2026Q1", "2026Q3", "2026-06-30"},
		{"3/2026", "2026Q3", "2026-07-01", "2026-09-30", "2026-09-30", "2026Q2", "2026Q4", "2026-09-30"},
	}
	for _, tt := range tests {
		q, err := ParseQuarter(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		got := []string{q.String(), q.Start(), q.End(), q.Due(), q.Prev().String(), q.Next().String()}
		want := []string{tt.want, tt.start, tt.end, tt.due, tt.prev, tt.next}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", tt.in, got, want)
		}
		if !q.Contains(tt.containsEndOfDay) || q.Next().Contains(tt.containsEndOfDay) {
			t.Errorf("%s: containment of %s wrong", tt.in, tt.containsEndOfDay)
		}
		if QuarterOf(tt.start) != q || QuarterOf(tt.end) != q {
			t.Errorf("%s: QuarterOf its own days is not itself", tt.in)
		}
	}
	for _, bad := range []string{"", "2026", "2026Q5", "2026Q0", "26Q1", "Q4", "2026-Q", "x/2026"} {
		if _, err := ParseQuarter(bad); err == nil || !strings.HasPrefix(err.Error(), "--quarter:") {
			t.Errorf("%q: error %v, want one naming --quarter", bad, err)
		}
	}
}

// cycleSnapshot is testSnapshot with a history: each entry is
// "YYYY-MM-DD kind item old new" at noon Italian time.
func cycleSnapshot(t *testing.T, history ...string) *Snapshot {
	s := testSnapshot(t, "ente E1 si", "ente E2 no")
	s.Audit.Ente = Ente{Name: "Comune di Prova", Sindaco: "Anna Rossi"}
	for i, h := range history {
		f := strings.SplitN(h, " ", 6)
		day, _ := time.ParseInLocation(time.DateOnly, f[0], rome)
		c := Change{Seq: uint64(i + 1), At: day.Add(12 * time.Hour), Kind: ChangeKind(f[1])}
		if len(f) > 2 {
			c.Scope = f[2]
		}
		if len(f) > 3 {
			c.Item = f[3]
		}
		if len(f) > 4 {
			c.Old = f[4]
		}
		if len(f) > 5 {
			c.New = f[5]
		}
		s.History = append(s.History, c)
	}
	return s
}

func transmit(s *Snapshot, sentOn, fixedOn string) {
	day, _ := time.ParseInLocation(time.DateOnly, fixedOn, rome)
	s.Plan = Plan{Edition: EditionBeta, SentOn: sentOn, Channel: ChannelPEC}
	b := MakeBaseline(s, s.Plan, day.Add(18*time.Hour))
	b.Seq = len(s.Baselines) + 1
	s.Baselines = append(s.Baselines, b)
}

func TestVariations(t *testing.T) {
	tests := []struct {
		name    string
		history []string
		want    []string // ids
		areas   []VariationArea
	}{
		{name: "answers before the transmission are not variations",
			history: []string{"2026-10-01 risposta ente E2 no si", "2026-10-02 perimetro"}},
		{name: "a changed outcome after it is",
			history: []string{"2026-10-01 risposta ente E2 – no", "2026-11-02 risposta ente E2 no si"},
			want:    []string{"V2"}, areas: []VariationArea{VariationMeasure}},
		{name: "the same outcome again and a note are not",
			history: []string{"2026-11-02 risposta ente E2 no no", "2026-11-03 nota ente E2 a b", "2026-11-04 valutazione ente SEC a b"}},
		{name: "perimeter, operators and roles are; other ente data are not",
			history: []string{"2026-11-02 perimetro", "2026-11-03 operatore", "2026-11-04 audit   ente.sindaco:_A ente.sindaco:_B",
				"2026-11-05 audit   auditor:_x auditor:_y", "2026-11-06 evento", "2026-11-07 piano"},
			want:  []string{"V1", "V2", "V3"},
			areas: []VariationArea{VariationPerimeter, VariationOperators, VariationOrganisation}},
		{name: "numbers and text are not measures' outcomes",
			history: []string{"2026-11-02 risposta ente N1 3 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.history {
				tt.history[i] = strings.ReplaceAll(tt.history[i], "_", " ")
			}
			s := cycleSnapshot(t, tt.history...)
			if got := Variations(s); len(got) != 0 {
				t.Fatalf("variations before any transmission: %v", got)
			}
			transmit(s, "2026-10-15", "2026-10-20")
			var ids []string
			var areas []VariationArea
			for _, v := range Variations(s) {
				ids = append(ids, v.ID)
				areas = append(areas, v.Area)
			}
			if !slices.Equal(ids, tt.want) || !slices.Equal(areas, tt.areas) {
				t.Errorf("variations %v %v, want %v %v", ids, areas, tt.want, tt.areas)
			}
		})
	}
}

func TestCheckDeclaration(t *testing.T) {
	q4 := Quarter{2026, 4}
	tests := []struct {
		name    string
		setup   func(s *Snapshot)
		reasons []string // substrings, one per reason, in order
	}{
		{name: "no transmission", setup: func(s *Snapshot) {}, reasons: []string{"nessuna edizione"}},
		{name: "transmitted after the quarter", setup: func(s *Snapshot) { transmit(s, "2027-01-10", "2027-01-10") },
			reasons: []string{"nessuna edizione"}},
		{name: "transmitted, nothing happened: allowed", setup: func(s *Snapshot) { transmit(s, "2026-10-15", "2026-10-15") }},
		{name: "an event in the quarter", setup: func(s *Snapshot) {
			transmit(s, "2026-10-15", "2026-10-15")
			s.Events = []SecurityEvent{{ID: "ev-1", At: "2026-11-03T10:00", Description: "furto della SCO"}}
		}, reasons: []string{"ev-1 del 03/11/2026 10:00: furto della SCO"}},
		{name: "an event of the previous quarter still open does not count", setup: func(s *Snapshot) {
			transmit(s, "2026-07-15", "2026-07-15")
			s.Events = []SecurityEvent{{ID: "ev-1", At: "2026-09-03", Description: "guasto", Status: EventOpen}}
		}},
		{name: "an event on the first day of next year does not count", setup: func(s *Snapshot) {
			transmit(s, "2026-10-15", "2026-10-15")
			s.Events = []SecurityEvent{{ID: "ev-1", At: "2027-01-01T00:10", Description: "guasto"}}
		}},
		{name: "a changed outcome and an event", setup: func(s *Snapshot) {
			transmit(s, "2026-10-15", "2026-10-15")
			s.History = append(s.History, Change{Seq: 9, At: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), Kind: ChangeAnswer, Scope: "ente", Item: "E1", Old: "si", New: "no"})
			s.Events = []SecurityEvent{{ID: "ev-2", At: "2026-12-01", Description: "accesso non autorizzato"}}
		}, reasons: []string{"ev-2", "V9 del 20/11/2026: esito di una misura E1 (Ente), Sì → No"}},
		{name: "no Sindaco", setup: func(s *Snapshot) { transmit(s, "2026-10-15", "2026-10-15"); s.Audit.Ente.Sindaco = "" },
			reasons: []string{"Sindaco"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := cycleSnapshot(t)
			tt.setup(s)
			v := CheckDeclaration(s, q4)
			if v.Allowed() != (len(tt.reasons) == 0) || len(v.Reasons) != len(tt.reasons) {
				t.Fatalf("reasons %q, want %q", v.Reasons, tt.reasons)
			}
			for i, r := range tt.reasons {
				if !strings.Contains(v.Reasons[i], r) {
					t.Errorf("reason %d %q does not contain %q", i, v.Reasons[i], r)
				}
			}
			if v.Allowed() && (v.Edition == nil || v.Edition.EditionLabel() != "versione beta") {
				t.Errorf("edition in force %+v", v.Edition)
			}
		})
	}
}

func TestEditionInForce(t *testing.T) {
	bs := []Baseline{{Seq: 1, Edition: EditionBeta, SentOn: "2026-03-01"}, {Seq: 2, Edition: EditionUpdate, Number: 1, SentOn: "2026-11-10"}}
	for day, want := range map[string]string{"2026-02-28": "", "2026-06-30": "versione beta", "2026-12-31": "aggiornamento n. 1"} {
		got := ""
		if b := EditionInForce(bs, day); b != nil {
			got = b.EditionLabel()
		}
		if got != want {
			t.Errorf("%s: %q, want %q", day, got, want)
		}
	}
}

func TestOperators(t *testing.T) {
	a := &Audit{Postazioni: []Postazione{{Code: "PA001"}}}
	tests := []struct {
		name     string
		op       Operator
		errField string
		findings []string
	}{
		{name: "registrar with SCO", op: Operator{Name: "Luca", Role: "ufficiale", SCO: "S1", SCODelivered: "01/02/2026", Postazioni: []string{"pa001"}}},
		{name: "delegate without act holding an SCO is flagged", op: Operator{Name: "Eva", Role: "delegato", SCO: "S2", SCODelivered: "2026-02-01"},
			findings: []string{"senza atto di delega"}},
		{name: "delegate with act", op: Operator{Name: "Eva", Role: "delegato", Act: "decreto 4/2026", SCO: "S2", SCODelivered: "2026-02-01"}},
		{name: "delegate without SCO is not flagged", op: Operator{Name: "Eva", Role: "delegato"}},
		{name: "SCO without delivery date", op: Operator{Name: "Eva", Role: "ufficiale", SCO: "S3"}, findings: []string{"data di consegna"}},
		{name: "revoked is not flagged", op: Operator{Name: "Eva", Role: "delegato", SCO: "S2", RevokedOn: "2026-03-01"}},
		{name: "no name", op: Operator{Role: "ufficiale"}, errField: "--name"},
		{name: "bad role", op: Operator{Name: "x", Role: "sindaco"}, errField: "--role"},
		{name: "unknown workstation", op: Operator{Name: "x", Role: "ufficiale", Postazioni: []string{"ZZ"}}, errField: "--postazione"},
		{name: "delivery date without SCO", op: Operator{Name: "x", Role: "ufficiale", SCODelivered: "2026-01-01"}, errField: "--sco"},
		{name: "delivery in the future", op: Operator{Name: "x", Role: "ufficiale", SCO: "S", SCODelivered: "2027-01-01"}, errField: "--sco-delivered"},
		{name: "revoked before delivery", op: Operator{Name: "x", Role: "ufficiale", SCO: "S", SCODelivered: "2026-05-01", RevokedOn: "2026-04-01"}, errField: "--on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := NormaliseOperator(tt.op, a, "2026-12-01")
			if tt.errField != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.errField+":") {
					t.Fatalf("error %v, want one naming %s", err, tt.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f := op.Findings()
			if len(f) != len(tt.findings) {
				t.Fatalf("findings %q, want %q", f, tt.findings)
			}
			for i := range f {
				if !strings.Contains(f[i], tt.findings[i]) {
					t.Errorf("finding %q, want %q", f[i], tt.findings[i])
				}
			}
		})
	}
	op, _ := NormaliseOperator(Operator{ID: "op-1", Name: "Luca", Role: "ufficiale", Postazioni: []string{"pa001"}}, a, "2026-12-01")
	if !slices.Equal(op.Postazioni, []string{"PA001"}) {
		t.Errorf("workstation code not in the audit's spelling: %v", op.Postazioni)
	}
	if _, err := RevokeOperator(Operator{ID: "op-1", Name: "x", Role: "ufficiale", RevokedOn: "2026-01-01"}, a, "2026-02-01", "2026-12-01"); err == nil {
		t.Error("revoked twice")
	}
	if got := NextID("op", []string{"op-1", "OP-7", "ev-9"}); got != "op-8" {
		t.Errorf("NextID %s", got)
	}
}

func TestEvents(t *testing.T) {
	a := &Audit{Sedi: []Sede{{Name: "Centro"}}, Postazioni: []Postazione{{Code: "PA001", Sede: "Centro"}}}
	cat := testCatalogue()
	const today = "2026-12-01"
	tests := []struct {
		name     string
		ev       SecurityEvent
		notified string
		errField string
		at       string
		gdpr     string // substring of GDPRNote
	}{
		{name: "date and time, Italian form", ev: SecurityEvent{At: "03/11/2026 10:30", Description: "x"}, at: "2026-11-03T10:30"},
		{name: "date only", ev: SecurityEvent{At: "2026-11-03", Description: "x"}, at: "2026-11-03"},
		{name: "bad time", ev: SecurityEvent{At: "2026-11-03T25:00", Description: "x"}, errField: "--at"},
		{name: "future", ev: SecurityEvent{At: "2027-01-01", Description: "x"}, errField: "--at"},
		{name: "no description", ev: SecurityEvent{At: "2026-11-03"}, errField: "--description"},
		{name: "unknown scope", ev: SecurityEvent{At: "2026-11-03", Description: "x", Scope: Scope{Kind: ScopeSede, Name: "Altrove"}}, errField: "--scope"},
		{name: "unknown threat", ev: SecurityEvent{At: "2026-11-03", Description: "x", Threat: "T99"}, errField: "--threat"},
		{name: "threat case-insensitive", ev: SecurityEvent{At: "2026-11-03", Description: "x", Threat: "t1"}, at: "2026-11-03"},
		{name: "confidentiality: 72 hours apply", ev: SecurityEvent{At: "2026-11-03T10:00", Description: "x", Areas: []ImpactArea{AreaConfidentiality}},
			at: "2026-11-03T10:00", gdpr: "entro il 06/11/2026 10:00"},
		{name: "notified in time", ev: SecurityEvent{At: "2026-11-03T10:00", Description: "x", Areas: []ImpactArea{AreaConfidentiality}},
			notified: "garante@2026-11-05T09:00", at: "2026-11-03T10:00", gdpr: "entro le 72 ore"},
		{name: "notified late", ev: SecurityEvent{At: "2026-11-03T10:00", Description: "x", Areas: []ImpactArea{AreaConfidentiality}},
			notified: "prefettura,garante@07/11/2026 09:00", at: "2026-11-03T10:00", gdpr: "oltre le 72 ore"},
		{name: "notice before the event", ev: SecurityEvent{At: "2026-11-03T10:00", Description: "x"}, notified: "prefettura@2026-11-01", errField: "--notified"},
		{name: "unknown recipient", ev: SecurityEvent{At: "2026-11-03", Description: "x"}, notified: "sindaco", errField: "--notified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := tt.ev
			var err error
			if tt.notified != "" {
				var at string
				at, err = ParseMoment("--at", ev.At, today)
				if err == nil {
					ev.Notified, err = ParseNotices(tt.notified, at, today)
				}
			}
			if err == nil {
				ev, err = NormaliseEvent(ev, a, cat, today)
			}
			if tt.errField != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.errField+":") {
					t.Fatalf("error %v, want one naming %s", err, tt.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.At != tt.at || ev.Status != EventOpen {
				t.Errorf("at %q status %q, want %q aperto", ev.At, ev.Status, tt.at)
			}
			if note := ev.GDPRNote(); !strings.Contains(note, tt.gdpr) || (tt.gdpr == "") != (note == "") {
				t.Errorf("GDPR note %q, want %q", note, tt.gdpr)
			}
		})
	}
	ev, _ := NormaliseEvent(SecurityEvent{ID: "ev-1", At: "2026-11-03", Description: "x"}, a, cat, today)
	if _, err := CloseEvent(ev, a, cat, "2026-11-02", "", today); err == nil || !strings.HasPrefix(err.Error(), "--on:") {
		t.Errorf("closing before the event: %v", err)
	}
	closed, err := CloseEvent(ev, a, cat, "05/11/2026", "risolto", today)
	if err != nil || closed.Status != EventClosed || closed.ClosedOn != "2026-11-05" {
		t.Fatalf("close: %+v %v", closed, err)
	}
	if _, err := CloseEvent(closed, a, cat, "2026-11-06", "", today); err == nil {
		t.Error("closed twice")
	}
	areas, err := ParseAreas("Integrità, riservatezza,integrita")
	if err != nil || !slices.Equal(areas, []ImpactArea{AreaConfidentiality, AreaIntegrity}) {
		t.Errorf("areas %v %v", areas, err)
	}
	if _, err := ParseAreas("privacy"); err == nil || !strings.HasPrefix(err.Error(), "--areas:") {
		t.Errorf("bad area: %v", err)
	}
}

func TestDeadlines(t *testing.T) {
	s := cycleSnapshot(t)
	s.Audit.ID = "a1"
	kinds := func(ds []Deadline) (out []string) {
		for _, d := range ds {
			k := d.Kind
			if d.Overdue {
				k += "!"
			}
			out = append(out, k)
		}
		return out
	}
	if got := kinds(Deadlines(s, "2026-12-01")); !slices.Equal(got, []string{"piano"}) {
		t.Errorf("nothing sent: %v", got)
	}
	transmit(s, "2026-10-15", "2026-10-15")
	s.Actions = map[string]ActionPlan{"E2": {Item: "E2", Due: "2026-11-30", Status: ActionInProgress}, "E1": {Item: "E1", Due: "2026-01-01", Status: ActionDone}}
	s.Events = []SecurityEvent{{ID: "ev-1", At: "2026-11-29T10:00", Description: "x", Areas: []ImpactArea{AreaConfidentiality}, Status: EventOpen}}
	s.Operators = []Operator{{ID: "op-1", Name: "Eva", Role: RoleDelegate, SCO: "S", SCODelivered: "2026-01-01"}}
	got := Deadlines(s, "2026-12-01")
	// Overdue first (the term ran out on 14/11, the action on 30/11), then
	// the GDPR hours, the quarter's scheda (an event), the yearly
	// revision, then the undated ones.
	want := []string{"prefettura!", "azione!", "gdpr", "scheda", "piano", "evento", "operatore"}
	if !slices.Equal(kinds(got), want) {
		t.Fatalf("deadlines %v, want %v", kinds(got), want)
	}
	if !strings.Contains(got[0].What, "scaduto") || got[0].Due != "2026-11-14" {
		t.Errorf("term: %+v", got[0])
	}
	// In January the previous quarter is still listed, across the year end.
	s.Events = nil
	got = Deadlines(s, "2027-01-10")
	if k := kinds(got); len(k) < 4 || k[2] != "dichiarazione!" || !strings.Contains(got[2].What, "4° trimestre 2026") || k[3] != "dichiarazione" || !strings.Contains(got[3].What, "1° trimestre 2027") {
		t.Errorf("January: %v %v", k, got)
	}
	// Once the declaration of 2026Q4 was produced it is no longer due.
	s.History = append(s.History, Change{Seq: 50, At: time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC), Kind: ChangePlan, Item: DocumentItem(DocumentDeclaration, Quarter{2026, 4})})
	for _, d := range Deadlines(s, "2027-01-10") {
		if strings.Contains(d.What, "4° trimestre 2026") {
			t.Errorf("produced, still due: %+v", d)
		}
	}
}

// TestOperatorSummaryLabels: a value that already starts with its label
// is not labelled twice ("SCO SCO 0991-0001" in the history and the report).
func TestOperatorSummaryLabels(t *testing.T) {
	for _, c := range []struct {
		o    Operator
		want string
	}{
		{Operator{Name: "Anna", Role: RoleRegistrar, SCO: "SCO 0991-0001", Verbale: "verbale di consegna n. 4/2024"}, "Anna; ufficiale d'anagrafe; SCO 0991-0001; verbale di consegna n. 4/2024"},
		{Operator{Name: "Anna", Role: RoleRegistrar, SCO: "0991-0001", Verbale: "n. 4/2024"}, "Anna; ufficiale d'anagrafe; SCO 0991-0001; verbale n. 4/2024"},
		{Operator{Name: "Anna", Role: RoleRegistrar, SCO: "SCOX"}, "Anna; ufficiale d'anagrafe; SCO SCOX"},
	} {
		if got := OperatorSummary(c.o); got != c.want {
			t.Errorf("OperatorSummary = %q, want %q", got, c.want)
		}
	}
}

// An event's history line joins its parts without ".;" and dates the
// closing in Italian.
func TestEventSummaryPunctuation(t *testing.T) {
	e := SecurityEvent{At: "2026-05-06T09:15", Scope: Scope{Kind: ScopeEnte}, Description: "Guasto del lettore.",
		Threat: "T11", Actions: "Assistenza chiamata.", Status: EventClosed, ClosedOn: "2026-05-08", CloseNote: "Lettore sostituito."}
	want := "06/05/2026 09:15; Ente; Guasto del lettore; minaccia T11; azioni: Assistenza chiamata; stato chiuso; chiuso il 08/05/2026; nota di chiusura: Lettore sostituito"
	if got := EventSummary(e); got != want {
		t.Errorf("EventSummary = %q\nwant %q", got, want)
	}
}
