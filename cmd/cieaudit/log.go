package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/storage"
)

// newLogCmd prints the access log of the SSH jump host.
func newLogCmd(a *app) *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Registro degli accessi al server SSH (accessi e tentativi rifiutati)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usagef("--limit %d non valido: indicare un numero positivo, o 0 per tutto", limit)
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			entries, err := s.AccessLog(limit)
			if err != nil {
				return err
			}
			if asJSON {
				return writeSchemaJSON(a.stdout, "access-log", struct {
					Entries []storage.AccessEntry `json:"entries"`
				}{nonNil(entries)})
			}
			if len(entries) == 0 {
				fmt.Fprintln(a.stdout, "Registro accessi vuoto.")
				return nil
			}
			printAccessLog(a, entries)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "stampa in JSON (schema in docs/schema/)")
	cmd.Flags().IntVar(&limit, "limit", 0, "solo le ultime N voci (0: tutte)")
	return cmd
}

func printAccessLog(a *app, entries []storage.AccessEntry) {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUANDO\tESITO\tUTENTE\tDA\tDURATA\tIMPRONTA\tSESSIONE / MOTIVO")
	for _, e := range entries {
		// The session text is whatever the client sent: never let it reach
		// the admin's terminal as control sequences or fake rows.
		e = e.Clean()
		outcome, detail := "ammesso", e.Session
		if !e.Accepted {
			outcome, detail = "RIFIUTATO", e.Reason
			if e.Session != "" {
				detail = e.Session + " — " + e.Reason
			}
		}
		duration := "-"
		switch {
		case !e.Ended.IsZero():
			duration = time.Duration(e.DurationSeconds * float64(time.Second)).Round(time.Second).String()
		case e.Accepted:
			duration = "in corso"
		}
		user := e.User
		if user == "" {
			user = "-"
		}
		fp := e.Fingerprint
		if fp == "" {
			fp = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Local().Format("2006-01-02 15:04:05"), outcome,
			user, e.Remote, duration, fp, detail)
	}
	tw.Flush()
}
