package http

import (
	"strconv"
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// TestSupportWebhooks: an engineer subscribes an account, sees the secret
// once, lists, reads the delivery log, redelivers, removes; bad input is a
// 400 that changes nothing; another account's ids answer as missing ones.
func TestSupportWebhooks(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	env.Account("globex")
	eng := env.Engineer("eng")
	env.Svc.Config.WebhookAllowPrivate = false

	// Internal targets are refused while not allowed.
	eng.Do("POST", supportPath+"/webhooks", map[string]any{"account": "acme", "url": "http://127.0.0.1:9/hook"}).ExpectError(400, "OSM.01010001")
	eng.Do("POST", supportPath+"/webhooks", map[string]any{"account": "acme", "url": "http://169.254.169.254/"}).ExpectError(400, "OSM.01010001")
	eng.Do("POST", supportPath+"/webhooks", map[string]any{"url": "https://93.184.215.14/"}).ExpectError(400, "OSM.01010001")
	eng.Do("POST", supportPath+"/webhooks", map[string]any{"account": "acme", "url": "https://93.184.215.14/", "event_types": []string{"nope"}}).ExpectError(400, "OSM.01010001")
	eng.Do("POST", supportPath+"/webhooks", map[string]any{"account": "nobody", "url": "https://93.184.215.14/"}).ExpectError(404, "OSM.01010001")
	var list struct {
		Webhooks []map[string]any `json:"webhooks"`
	}
	eng.Do("GET", supportPath+"/webhooks?account=acme", nil).Expect(200).JSON(&list)
	if len(list.Webhooks) != 0 {
		t.Fatalf("refused subscriptions were stored: %v", list.Webhooks)
	}

	env.Svc.Config.WebhookAllowPrivate = true
	var hook supportWebhook
	res := eng.Do("POST", supportPath+"/webhooks", map[string]any{"account": "acme", "url": "http://127.0.0.1:9/hook",
		"event_types": []string{casebook.EventCaseCreated}}).Expect(201)
	res.JSON(&hook)
	if !strings.HasPrefix(hook.Secret, "whsec_") || hook.AccountID != acme.ID || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("created %+v", hook)
	}
	res = eng.Do("GET", supportPath+"/webhooks?account="+acme.ID, nil).Expect(200)
	if strings.Contains(string(res.Body), hook.Secret) {
		t.Fatal("the list shows the secret")
	}
	res.JSON(&list)
	if len(list.Webhooks) != 1 || list.Webhooks[0]["id"] != hook.ID {
		t.Fatalf("list %v", list.Webhooks)
	}
	eng.Do("GET", supportPath+"/webhooks", nil).ExpectError(400, "OSM.01010001")

	// A delivery exists once the event is dispatched.
	acme.Master.Do("POST", "/v2/servicerequest/cases", map[string]any{"business_type_id": "1", "simple_description": "hi"}).Expect(200)
	if _, err := env.Svc.DispatchEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Deliveries []supportDelivery `json:"deliveries"`
	}
	eng.Do("GET", supportPath+"/webhooks/"+hook.ID+"/deliveries?account=acme", nil).Expect(200).JSON(&log)
	if len(log.Deliveries) != 1 || log.Deliveries[0].State != "pending" || log.Deliveries[0].EventType != casebook.EventCaseCreated {
		t.Fatalf("deliveries %+v", log.Deliveries)
	}
	id := strconv.FormatInt(log.Deliveries[0].ID, 10)
	eng.Do("GET", supportPath+"/webhooks/"+hook.ID+"/deliveries?account=acme&state=lost", nil).ExpectError(400, "OSM.01010001")
	eng.Do("GET", supportPath+"/webhooks/"+hook.ID+"/deliveries?account=acme&limit=1001", nil).ExpectError(400, "OSM.01010001")

	// Another account's view: as if nothing existed.
	eng.Do("GET", supportPath+"/webhooks/"+hook.ID+"/deliveries?account=globex", nil).ExpectError(404, "OSM.01010001")
	eng.Do("POST", supportPath+"/webhooks/"+hook.ID+"/deliveries/"+id+"/redeliver?account=globex", nil).ExpectError(404, "OSM.01010001")
	eng.Do("DELETE", supportPath+"/webhooks/"+hook.ID+"?account=globex", nil).ExpectError(404, "OSM.01010001")
	eng.Do("POST", supportPath+"/webhooks/WHNOPE/deliveries/"+id+"/redeliver?account=acme", nil).ExpectError(404, "OSM.01010001")
	eng.Do("POST", supportPath+"/webhooks/"+hook.ID+"/deliveries/x/redeliver?account=acme", nil).ExpectError(404, "OSM.01010001")

	var d supportDelivery
	eng.Do("POST", supportPath+"/webhooks/"+hook.ID+"/deliveries/"+id+"/redeliver?account=acme", nil).Expect(200).JSON(&d)
	if d.State != "pending" || d.Attempts != 0 || d.LastError != "redelivery requested" {
		t.Fatalf("redelivered %+v", d)
	}
	eng.Do("DELETE", supportPath+"/webhooks/"+hook.ID+"?account=acme", nil).Expect(204)
	eng.Do("DELETE", supportPath+"/webhooks/"+hook.ID+"?account=acme", nil).ExpectError(404, "OSM.01010001")
	acme.Master.Do("GET", supportPath+"/webhooks?account=acme", nil).ExpectError(403, "OSM.0003")
}
