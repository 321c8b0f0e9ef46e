package main

import (
	"debug/buildinfo"
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCLIVersion(t *testing.T) {
	bin := buildBinary(t)
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := versionFrom(info)

	flag, cmd := mustRun(t, "", "--version"), mustRun(t, "", "version")
	if flag != cmd || flag != want.String()+"\n" {
		t.Errorf("--version %q, version %q: want both %q", flag, cmd, want.String())
	}
	var got buildVersion
	if err := json.Unmarshal([]byte(mustRun(t, "", "version", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("version --json = %+v, the binary's build information says %+v", got, want)
	}
	if got.Schema != "cieaudit.version/v1" || got.Module != "github.com/cieaudit/cieaudit" || got.Version == "" {
		t.Errorf("version --json = %+v", got)
	}
	// A version flag after a command is an unknown option, as for any flag.
	if r := runCLI(t, "", "audit", "--version"); r.Code != 2 {
		t.Errorf("audit --version: exit %d", r.Code)
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build information", nil, "cieaudit sconosciuta (revisione non registrata nella compilazione)"},
		{"tagged install", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/cieaudit/cieaudit", Version: "v1.2.0"}},
			"cieaudit v1.2.0 (revisione non registrata nella compilazione) go1.26.8"},
		{"checkout with changes", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/cieaudit/cieaudit", Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "3fb4668f"}, {Key: "vcs.time", Value: "2026-12-01T18:24:31Z"}, {Key: "vcs.modified", Value: "true"}}},
			"cieaudit (devel) (revisione 3fb4668f del 2026-12-01T18:24:31Z, con modifiche non registrate) go1.26.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionFrom(tt.info).String(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want prefix %q", got, tt.want)
			}
		})
	}
}
