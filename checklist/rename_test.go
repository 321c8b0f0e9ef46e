package checklist

import (
	"slices"
	"testing"
)

func TestScopeRename(t *testing.T) {
	t.Parallel()
	post := func(c string) Scope { return Scope{Kind: ScopePostazione, Name: c} }
	sede := func(n string) Scope { return Scope{Kind: ScopeSede, Name: n} }
	tests := []struct {
		name       string
		rename     ScopeRename
		postazioni []string // the operator's
		wantPost   []string // nil: unchanged
		event      Scope
		wantEvent  Scope // zero: unchanged
	}{
		{"postazione used and event scope", ScopeRename{post("PG0991B01"), post("PG0991B09")},
			[]string{"PG0991A01", "PG0991B01"}, []string{"PG0991A01", "PG0991B09"}, post("PG0991B01"), post("PG0991B09")},
		{"stored in another case", ScopeRename{post("PG0991B01"), post("PG0991B09")},
			[]string{"pg0991b01"}, []string{"PG0991B09"}, post("pg0991b01"), post("PG0991B09")},
		{"case-only rename", ScopeRename{post("pc01"), post("PC01")}, []string{"pc01"}, []string{"PC01"}, post("pc01"), post("PC01")},
		{"other postazione untouched", ScopeRename{post("PG0991B01"), post("PG0991B09")},
			[]string{"PG0991A01"}, nil, post("PG0991A01"), Scope{}},
		{"same name changes nothing", ScopeRename{post("PG0991B01"), post("PG0991B01")},
			[]string{"PG0991B01"}, nil, post("PG0991B01"), Scope{}},
		{"sede: event scope, operators untouched", ScopeRename{sede("Municipio"), sede("Palazzo comunale")},
			[]string{"Municipio"}, nil, sede("municipio"), sede("Palazzo comunale")},
		{"sede: a postazione event stays", ScopeRename{sede("Municipio"), sede("Palazzo comunale")},
			nil, nil, post("PG0991A01"), Scope{}},
		{"sede: ente event stays", ScopeRename{sede("Municipio"), sede("Palazzo comunale")}, nil, nil, EnteScope, Scope{}},
		{"postazione named like a sede", ScopeRename{post("MUNICIPIO"), post("M01")}, nil, nil, sede("Municipio"), Scope{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := Operator{ID: "op-1", Postazioni: slices.Clone(tc.postazioni)}
			o, changed := tc.rename.Operator(in)
			if changed != (tc.wantPost != nil) {
				t.Fatalf("operator changed = %v, want %v", changed, tc.wantPost != nil)
			}
			want := tc.postazioni
			if tc.wantPost != nil {
				want = tc.wantPost
			}
			if !slices.Equal(o.Postazioni, want) {
				t.Errorf("operator postazioni %v, want %v", o.Postazioni, want)
			}
			if !slices.Equal(in.Postazioni, tc.postazioni) {
				t.Errorf("the given operator was modified: %v", in.Postazioni)
			}
			e, changed := tc.rename.Event(SecurityEvent{ID: "ev-1", Scope: tc.event})
			if changed != (tc.wantEvent != Scope{}) {
				t.Fatalf("event changed = %v, want %v", changed, tc.wantEvent != Scope{})
			}
			wantEvent := tc.event
			if changed {
				wantEvent = tc.wantEvent
			}
			if e.Scope != wantEvent {
				t.Errorf("event scope %v, want %v", e.Scope, wantEvent)
			}
		})
	}
}
