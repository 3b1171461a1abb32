package forward

import (
	"google.golang.org/protobuf/encoding/protowire"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// The calls that change criattrs' id index (RunPodSandbox, CreateContainer,
// RemovePodSandbox, RemoveContainer, and PodSandboxStatus for a sandbox the
// index lacks) are decoded on every call, traced or not. For them a
// skeleton's walk through protoreflect (skeleton.go) is most of what
// forward mode adds to the call: so their few fields are read here with
// protowire straight into the generated types, each message with its
// sub-messages in one allocation. The result is the skeleton's, field for
// field, for any bytes (TestDirectMatchesSkeleton, FuzzDirect): the last
// value of a repeated string wins, a repeated message merges, and bytes
// past a malformed field are ignored.

// Field numbers, from k8s.io/cri-api/pkg/apis/runtime/v1/api.proto.
const (
	fieldFirst = 1 // pod_sandbox_id, container_id, config, status, metadata, name, image, id

	fieldRunPodSandboxRuntimeHandler = 2
	fieldPodMetadataUID              = 2
	fieldPodMetadataNamespace        = 3
	fieldCreateContainerConfig       = 2
	fieldCreateContainerSandbox      = 3
	fieldContainerConfigImage        = 2
	fieldPodStatusMetadata           = 2
	fieldPodStatusRuntimeHandler     = 9
)

// directDecoders holds, by full method, the direct decoder of its request
// and of its response, where there is one.
var directDecoders = map[string]struct{ req, resp func([]byte) any }{
	methodPrefix + "RunPodSandbox":    {req: decodeRunPodSandboxRequest, resp: decodeRunPodSandboxResponse},
	methodPrefix + "CreateContainer":  {req: decodeCreateContainerRequest, resp: decodeCreateContainerResponse},
	methodPrefix + "RemovePodSandbox": {req: decodeRemovePodSandboxRequest},
	methodPrefix + "RemoveContainer":  {req: decodeRemoveContainerRequest},
	methodPrefix + "PodSandboxStatus": {req: decodePodSandboxStatusRequest, resp: decodePodSandboxStatusResponse},
}

const methodPrefix = "/runtime.v1.RuntimeService/"

// nextBytes returns the next length-delimited field of b, its number and
// value, and the bytes after it; fields of other wire types are skipped.
// ok is false at the end of b and at malformed bytes.
func nextBytes(b []byte) (num protowire.Number, v, rest []byte, ok bool) {
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return 0, nil, nil, false
		}
		b = b[l:]
		if typ != protowire.BytesType {
			if l = protowire.ConsumeFieldValue(n, typ, b); l < 0 {
				return 0, nil, nil, false
			}
			b = b[l:]
			continue
		}
		v, l := protowire.ConsumeBytes(b)
		if l < 0 {
			return 0, nil, nil, false
		}
		return n, v, b[l:], true
	}
	return 0, nil, nil, false
}

// lastString sets *s to the last value of field 1 of b, when b has one;
// as when proto merges a message, *s keeps what it held otherwise.
func lastString(s *string, b []byte) {
	for n, v, rest, ok := nextBytes(b); ok; n, v, rest, ok = nextBytes(rest) {
		if n == fieldFirst {
			*s = string(v)
		}
	}
}

// podMetadata fills md from b.
func podMetadata(md *runtimeapi.PodSandboxMetadata, b []byte) {
	for n, v, rest, ok := nextBytes(b); ok; n, v, rest, ok = nextBytes(rest) {
		switch n {
		case fieldFirst:
			md.Name = string(v)
		case fieldPodMetadataUID:
			md.Uid = string(v)
		case fieldPodMetadataNamespace:
			md.Namespace = string(v)
		}
	}
}

// podConfig is a PodSandboxConfig with the metadata it may point to.
type podConfig struct {
	cfg runtimeapi.PodSandboxConfig
	md  runtimeapi.PodSandboxMetadata
}

// fill fills the config from b, its metadata into p.md.
func (p *podConfig) fill(b []byte) {
	for n, v, rest, ok := nextBytes(b); ok; n, v, rest, ok = nextBytes(rest) {
		if n == fieldFirst {
			p.cfg.Metadata = &p.md
			podMetadata(&p.md, v)
		}
	}
}

func decodeRunPodSandboxRequest(b []byte) any {
	m := new(struct {
		req runtimeapi.RunPodSandboxRequest
		pod podConfig
	})
	for n, v, rest, ok := nextBytes(b); ok; n, v, rest, ok = nextBytes(rest) {
		switch n {
		case fieldFirst:
			m.req.Config = &m.pod.cfg
			m.pod.fill(v)
		case fieldRunPodSandboxRuntimeHandler:
			m.req.RuntimeHandler = string(v)
		}
	}
	return &m.req
}

func decodeCreateContainerRequest(b []byte) any {
	m := new(struct {
		req   runtimeapi.CreateContainerRequest
		cfg   runtimeapi.ContainerConfig
		md    runtimeapi.ContainerMetadata
		image runtimeapi.ImageSpec
		pod   podConfig
	})
	for n, v, rest, ok := nextBytes(b); ok; n, v, rest, ok = nextBytes(rest) {
		switch n {
		case fieldFirst:
			m.req.PodSandboxId = string(v)
		case fieldCreateContainerConfig:
			m.req.Config = &m.cfg
			for n, v, rest, ok := nextBytes(v); ok; n, v, rest, ok = nextBytes(rest) {
				switch n {
				case fieldFirst:
					m.cfg.Metadata = &m.md
					lastString(&m.md.Name, v)
				case fieldContainerConfigImage:
					m.cfg.Image = &m.image
					lastString(&m.image.Image, v)
				}
			}
		case fieldCreateContainerSandbox:
			m.req.SandboxConfig = &m.pod.cfg
			m.pod.fill(v)
		}
	}
	return &m.req
}

func decodePodSandboxStatusResponse(b []byte) any {
	m := new(struct {
		resp runtimeapi.PodSandboxStatusResponse
		st   runtimeapi.PodSandboxStatus
		md   runtimeapi.PodSandboxMetadata
	})
	for n, v, rest, ok := nextBytes(b); ok; n, v, rest, ok = nextBytes(rest) {
		if n != fieldFirst {
			continue
		}
		m.resp.Status = &m.st
		for n, v, rest, ok := nextBytes(v); ok; n, v, rest, ok = nextBytes(rest) {
			switch n {
			case fieldFirst:
				m.st.Id = string(v)
			case fieldPodStatusMetadata:
				m.st.Metadata = &m.md
				podMetadata(&m.md, v)
			case fieldPodStatusRuntimeHandler:
				m.st.RuntimeHandler = string(v)
			}
		}
	}
	return &m.resp
}

func decodeRunPodSandboxResponse(b []byte) any {
	m := new(runtimeapi.RunPodSandboxResponse)
	lastString(&m.PodSandboxId, b)
	return m
}

func decodeCreateContainerResponse(b []byte) any {
	m := new(runtimeapi.CreateContainerResponse)
	lastString(&m.ContainerId, b)
	return m
}

func decodeRemovePodSandboxRequest(b []byte) any {
	m := new(runtimeapi.RemovePodSandboxRequest)
	lastString(&m.PodSandboxId, b)
	return m
}

func decodeRemoveContainerRequest(b []byte) any {
	m := new(runtimeapi.RemoveContainerRequest)
	lastString(&m.ContainerId, b)
	return m
}

func decodePodSandboxStatusRequest(b []byte) any {
	m := new(runtimeapi.PodSandboxStatusRequest)
	lastString(&m.PodSandboxId, b)
	return m
}
