package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// buildVersion is what the binary knows about itself, from the build
// information the Go toolchain embeds: the module version ("(devel)" for a
// build from a checkout, the tag for `go install ...@vX.Y.Z`) and, when the
// build ran in a VCS checkout with -buildvcs (the default), the revision.
type buildVersion struct {
	Schema   string `json:"schema"`
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"revision_time,omitempty"`
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

func readBuildVersion() buildVersion {
	info, _ := debug.ReadBuildInfo()
	return versionFrom(info)
}

// versionFrom extracts the version fields; info may be nil (a binary built
// without module support), which gives "sconosciuta".
func versionFrom(info *debug.BuildInfo) buildVersion {
	v := buildVersion{
		Schema:   "cieaudit.version/v1",
		Version:  "sconosciuta",
		Go:       runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	if info == nil {
		return v
	}
	v.Module = info.Main.Path
	if info.Main.Version != "" {
		v.Version = info.Main.Version
	}
	if info.GoVersion != "" {
		v.Go = info.GoVersion
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one-line form printed by --version.
func (v buildVersion) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cieaudit %s", v.Version)
	if v.Revision != "" {
		fmt.Fprintf(&b, " (revisione %s", v.Revision)
		if v.Time != "" {
			fmt.Fprintf(&b, " del %s", v.Time)
		}
		if v.Modified {
			b.WriteString(", con modifiche non registrate")
		}
		b.WriteString(")")
	} else {
		b.WriteString(" (revisione non registrata nella compilazione)")
	}
	fmt.Fprintf(&b, " %s %s", v.Go, v.Platform)
	return b.String()
}

func (v buildVersion) print(w io.Writer, asJSON bool) error {
	if asJSON {
		return writeJSON(w, v)
	}
	_, err := fmt.Fprintln(w, v)
	return err
}

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Stampa la versione del programma e la revisione da cui è compilato",
		Long: `Stampa la versione del modulo e la revisione del codice sorgente (dalle informazioni
che il compilatore Go incorpora nel programma), la versione di Go e la piattaforma.
È quanto stampa anche "cieaudit --version".`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return readBuildVersion().print(cmd.OutOrStdout(), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "stampa in JSON")
	return cmd
}

// installVersion gives root a --version flag printing the same line as the
// version command, with Italian help (cobra's own says "version for").
func installVersion(root *cobra.Command) {
	root.Version = readBuildVersion().Version
	root.Flags().Bool("version", false, "stampa la versione ed esce")
	root.SetVersionTemplate(readBuildVersion().String() + "\n")
	root.AddCommand(newVersionCmd())
}
