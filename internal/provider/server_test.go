package provider

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

type payloadKey struct{}

// heldAfterRequest validates a fleet_gitrepo configuration through server,
// as Terraform does for every resource of a plan, with a request context
// that carries a payload, and reports whether the payload is still reachable
// after the request and a garbage collection.
func heldAfterRequest(t *testing.T, server tfprotov6.ProviderServer) bool {
	t.Helper()
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.ResourceSchemas["fleet_gitrepo"].ValueType()
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	payload := new([1 << 20]byte)
	held := weak.Make(payload)
	ctx := context.WithValue(context.Background(), payloadKey{}, payload)
	if _, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "fleet_gitrepo", Config: &config}); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.KeepAlive(server) // a provider's server lives as long as its process
	return held.Value() != nil
}

func TestServerLetsGoOfEndedRequests(t *testing.T) {
	if heldAfterRequest(t, NewServer("test")()) {
		t.Fatal("the provider still holds a request's context after the request ended: a refresh of N resources holds N contexts")
	}
}

// TestFrameworkServerKeepsRequestContexts is why NewServer wraps the
// framework's server. When it fails, the framework no longer keeps them, and
// the wrapper can go.
func TestFrameworkServerKeepsRequestContexts(t *testing.T) {
	if !heldAfterRequest(t, providerserver.NewProtocol6(New("test")())()) {
		t.Fatal("the framework's server no longer keeps request contexts: NewServer's requestContext is not needed any more")
	}
}

func TestRequestContextEndsWithTheRequest(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), payloadKey{}, "value"))
	defer cancel()
	rc := newRequestContext(parent)
	child, cancelChild := context.WithCancel(rc) // as the framework derives its own
	defer cancelChild()
	if rc.Value(payloadKey{}) != "value" || child.Value(payloadKey{}) != "value" {
		t.Fatal("a request's handler does not see the request's values")
	}
	cancel()
	<-child.Done() // cancelling the request reaches what was derived from it
	rc.release()
	if rc.Value(payloadKey{}) != nil {
		t.Error("an ended request's context still holds its values")
	}
	select {
	case <-rc.Done():
	default:
		t.Error("an ended request's context is not done")
	}
	if !errors.Is(rc.Err(), context.Canceled) {
		t.Errorf("Err() = %v, want context.Canceled", rc.Err())
	}
	cancelChild() // what the framework does on StopProvider: must not panic
}
