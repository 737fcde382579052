package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer returns what serves the provider over protocol 6: the
// framework's server, except that a request's context is let go of when the
// request ends.
//
// terraform-plugin-framework (v1.19.0) keeps a cancel function of every
// request's context until StopProvider, which Terraform does not send when a
// command ends, so every context lives as long as the process. Each holds
// the request's loggers (terraform-plugin-go makes them per request), about
// 15 KB: a refresh of 1,000 resources held some 60 MB this way, the largest
// part of the provider's memory. Each request's handler therefore gets a
// context that drops the request's own once the handler returns.
func NewServer(version string) func() tfprotov6.ProviderServer {
	framework := providerserver.NewProtocol6(New(version)())
	return func() tfprotov6.ProviderServer { return server{framework()} }
}

// server hands each request to the framework's server with a
// requestContext.
type server struct{ framework tfprotov6.ProviderServer }

// serve calls handle with a context that lets go of ctx when handle returns.
func serve[Req, Resp any](ctx context.Context, req Req, handle func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := newRequestContext(ctx)
	defer rc.release()
	return handle(rc, req)
}

// requestContext is ctx until release, and a cancelled context without
// values after it: what the request's context is to the request's own
// handlers, and nothing that holds on to it afterwards.
type requestContext struct {
	ctx atomic.Pointer[context.Context]
}

func newRequestContext(ctx context.Context) *requestContext {
	rc := &requestContext{}
	rc.ctx.Store(&ctx)
	return rc
}

func (c *requestContext) release() { c.ctx.Store(&endedRequest) }

func (c *requestContext) current() context.Context    { return *c.ctx.Load() }
func (c *requestContext) Deadline() (time.Time, bool) { return c.current().Deadline() }
func (c *requestContext) Done() <-chan struct{}       { return c.current().Done() }
func (c *requestContext) Err() error                  { return c.current().Err() }
func (c *requestContext) Value(key any) any           { return c.current().Value(key) }

// endedRequest is what a request's context becomes when the request ends:
// cancelled, as gRPC cancels the request's own then, and without its values.
var endedRequest = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func (s server) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return serve(ctx, req, s.framework.GetMetadata)
}

func (s server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return serve(ctx, req, s.framework.GetProviderSchema)
}

func (s server) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return serve(ctx, req, s.framework.GetResourceIdentitySchemas)
}

func (s server) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return serve(ctx, req, s.framework.ValidateProviderConfig)
}

func (s server) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return serve(ctx, req, s.framework.ConfigureProvider)
}

// StopProvider cancels the requests in progress; it keeps no context itself.
func (s server) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return s.framework.StopProvider(ctx, req)
}

func (s server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return serve(ctx, req, s.framework.ValidateResourceConfig)
}

func (s server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serve(ctx, req, s.framework.UpgradeResourceState)
}

func (s server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return serve(ctx, req, s.framework.UpgradeResourceIdentity)
}

func (s server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serve(ctx, req, s.framework.ReadResource)
}

func (s server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serve(ctx, req, s.framework.PlanResourceChange)
}

func (s server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return serve(ctx, req, s.framework.ApplyResourceChange)
}

func (s server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return serve(ctx, req, s.framework.ImportResourceState)
}

func (s server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return serve(ctx, req, s.framework.MoveResourceState)
}

func (s server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return serve(ctx, req, s.framework.GenerateResourceConfig)
}

func (s server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return serve(ctx, req, s.framework.ValidateDataResourceConfig)
}

func (s server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return serve(ctx, req, s.framework.ReadDataSource)
}

func (s server) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return serve(ctx, req, s.framework.GetFunctions)
}

func (s server) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return serve(ctx, req, s.framework.CallFunction)
}

func (s server) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return serve(ctx, req, s.framework.ValidateEphemeralResourceConfig)
}

func (s server) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return serve(ctx, req, s.framework.OpenEphemeralResource)
}

func (s server) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return serve(ctx, req, s.framework.RenewEphemeralResource)
}

func (s server) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return serve(ctx, req, s.framework.CloseEphemeralResource)
}
