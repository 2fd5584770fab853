package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// TestServer_SweeperExpiresGrants checks that serve's sweeper ends a grant
// once its window is over and destroys its credentials.
func TestServer_SweeperExpiresGrants(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := DefaultConfig()
	cfg.Data = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.SweepInterval = Duration(time.Second)

	// A grant whose window ends two seconds from now.
	app, err := OpenApp(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	svc := app.Service
	svc.Config.PasswordIterations = 1000 // hashing speed is not under test
	_, user, err := svc.CreateAccount(ctx, "acme", "admin", "Acme-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := svc.CreateEngineer(ctx, "eve", "Eve-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	customer, _, err := svc.ResolvePrincipal(ctx, casebook.RealmCustomer, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	engineer, _, err := svc.ResolvePrincipal(ctx, casebook.RealmEngineer, eng.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateCase(ctx, customer, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "help"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.RequestAuthorization(ctx, engineer, c.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "1", VisitTypeID: "1", Describe: "ssh",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceName: "web-01", Port: 22, Account: "root"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	end := start.Add(2 * time.Second)
	err = svc.ConfirmAuthorization(ctx, customer, "", a.ID, casebook.ConfirmInput{
		Credentials: []casebook.Credential{{DetailID: a.Details[0].ID, Password: "host-secret"}},
		EffectiveAt: &start, ExpireAt: &end,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}

	s := &Server{Config: cfg, Logger: logger}
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// Poll the store until the sweeper has recorded the expiry.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var stored *casebook.Authorization
		var creds []casebook.Credential
		err := s.app.Store.Read(ctx, func(tx casebook.Tx) error {
			var err error
			if stored, err = tx.FindAuthorizationByID(ctx, a.ID); err != nil {
				return err
			}
			creds, err = tx.FindCredentials(ctx, a.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status == casebook.AuthStatusExpired {
			if len(creds) != 0 {
				t.Errorf("expired grant still holds %d credentials", len(creds))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sweeper did not expire the grant (status %d)", stored.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	events, err := s.app.Service.FindAudit(ctx, casebook.AuditFilter{AuthorizationID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	destroyed := false
	for _, e := range events {
		destroyed = destroyed || e.Action == casebook.AuditCredentialDestroyed
	}
	if !destroyed {
		t.Errorf("no %s audit event: %+v", casebook.AuditCredentialDestroyed, events)
	}
}
