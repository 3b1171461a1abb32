package server

import (
	"context"

	"github.com/crio-trace/crio-trace/internal/criattrs"
)

// The attribute keys the Server records: criattrs's, named here too so
// callers of the server package need not import it.
const (
	AttrPodName            = criattrs.AttrPodName
	AttrNamespaceName      = criattrs.AttrNamespaceName
	AttrPodUID             = criattrs.AttrPodUID
	AttrContainerName      = criattrs.AttrContainerName
	AttrContainerID        = criattrs.AttrContainerID
	AttrContainerImageName = criattrs.AttrContainerImageName
	AttrSandboxID          = criattrs.AttrSandboxID
	AttrRuntimeHandler     = criattrs.AttrRuntimeHandler
)

// allowList is everything the Server may record (criattrs.AllowList).
var allowList = criattrs.AllowList

// annotate records the attributes req names on the RPC's server span.
func (s *Server) annotate(ctx context.Context, req any) { s.attrs.Annotate(ctx, req) }

// observe updates the index from a successful call and records the ids its
// response hands out.
func (s *Server) observe(ctx context.Context, req, resp any) { s.attrs.Observe(ctx, req, resp) }
