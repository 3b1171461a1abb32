package criattrs

// Undecoded is a CRI request or response that its caller passes on without
// decoding it, as crio-trace's forward mode does: the Annotator takes the
// few fields it reads from CRIMessage, and only when it needs them — when
// the span records, or when the call changes the index.
type Undecoded interface {
	// CRIMethod is the full gRPC method of the call the message belongs
	// to, "/runtime.v1.RuntimeService/RunPodSandbox".
	CRIMethod() string
	// CRIMessage returns the message as its generated type, holding at
	// least the fields the Annotator reads, or nil when it has none. It
	// may decode on every call; the Annotator calls it at most once per
	// message and use (annotate, observe, log).
	CRIMessage() any
}

// Full methods of the calls Observe learns from or forgets by.
const (
	methodRunPodSandbox    = "/runtime.v1.RuntimeService/RunPodSandbox"
	methodCreateContainer  = "/runtime.v1.RuntimeService/CreateContainer"
	methodPodSandboxStatus = "/runtime.v1.RuntimeService/PodSandboxStatus"
	methodRemovePodSandbox = "/runtime.v1.RuntimeService/RemovePodSandbox"
	methodRemoveContainer  = "/runtime.v1.RuntimeService/RemoveContainer"
)

// decoded returns msg's decoded form when it is Undecoded, else msg.
func decoded(msg any) any {
	if u, ok := msg.(Undecoded); ok {
		return u.CRIMessage()
	}
	return msg
}

// observed decodes, for Observe, what it reads of an undecoded call: the
// request of a call that changes the index, the response only when it
// hands out an id or teaches a sandbox the index lacks. skip reports that
// the call needs nothing, which is every call but five.
func (a *Annotator) observed(u Undecoded, resp any) (req, decodedResp any, skip bool) {
	switch u.CRIMethod() {
	case methodRunPodSandbox, methodCreateContainer:
		return u.CRIMessage(), decoded(resp), false
	case methodRemovePodSandbox, methodRemoveContainer:
		return u.CRIMessage(), nil, false
	case methodPodSandboxStatus:
		req := u.CRIMessage()
		if r, ok := req.(sandboxIDRequest); !ok || a.index.hasSandbox(r.GetPodSandboxId()) {
			return nil, nil, true
		}
		return req, decoded(resp), false
	}
	return nil, nil, true
}
