package waterfall

import "html/template"

// pageTemplate is the HTML page. html/template escapes every value from the
// spans for the context it lands in; only the style values built by newPage
// are trusted.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>` + pageCSS + `</style>
</head>
<body>
<header class="top">
  <h1>{{.Title}}</h1>
  <div class="meta">
    {{- if .TraceID}}<span>Trace <code>{{.TraceID}}</code></span>{{end}}
    {{- if .Started}}<span>Started <b>{{.Started}}</b></span>{{end}}
    <span>Duration <b>{{.Duration}}</b></span>
    <span>Spans <b>{{.Spans}}</b></span>
    <span>Services <b>{{len .Services}}</b></span>
    {{- if .Errors}}<span class="errcount">✗ {{.Errors}} failed</span>{{end}}
  </div>
</header>
<nav class="legend" aria-label="Services">
  {{- range .Services}}
  <span class="svc"><i class="swatch" style="{{.Color}}"></i>{{.Name}} <small>{{.Count}}</small></span>
  {{- end}}
  <span class="hint">Hover a span for its key attributes; click it for all of them.</span>
</nav>
<main class="wf">
  <div class="row head">
    <div class="lbl">Service &amp; operation</div>
    <div class="tl">{{range .Ticks}}<span class="tick" style="{{.Style}}">{{.Label}}</span>{{end}}</div>
  </div>
  {{- if not .Rows}}
  <p class="empty">No spans were received for this trace.</p>
  {{- end}}
  {{- range .Rows}}
  <details class="span{{if .IsError}} err{{end}}">
    <summary title="{{.Tooltip}}">
      <div class="row">
        <div class="lbl">
          {{- range .Guides}}<i class="g"></i>{{end -}}
          <i class="tw{{if .Leaf}} leaf{{end}}"></i>
          <i class="dot" style="{{.Dot}}"></i>
          <span class="sv">{{.Service}}</span>
          <span class="nm">{{if .IsError}}<b class="x">✗</b> {{end}}{{.Name}}</span>
        </div>
        <div class="tl">
          <div class="bar" style="{{.Bar}}"></div>
          {{- if .LabelLeft}}
          <span class="bl left" style="{{.Label}}">
            {{- range .Fields}}<span class="f">{{.Label}}=<span>{{.Value}}</span></span>{{end}}<b>{{.Duration}}</b></span>
          {{- else}}
          <span class="bl" style="{{.Label}}"><b>{{.Duration}}</b>
            {{- range .Fields}}<span class="f">{{.Label}}=<span>{{.Value}}</span></span>{{end}}</span>
          {{- end}}
        </div>
      </div>
      {{- if or .Error .MissingParent}}
      <div class="note">
        {{- range .Guides}}<i class="g"></i>{{end}}
        {{- if .MissingParent}}<span class="orphan">parent {{.MissingParent}} not in this trace — shown as a root</span>{{end}}
        {{- if .Error}}<span class="msg">{{.Error}}</span>{{end}}
      </div>
      {{- end}}
    </summary>
    <div class="detail">
      <section>
        <h3>Span</h3>
        <table>
          <tr><th>service</th><td>{{.Service}}</td></tr>
          <tr><th>name</th><td>{{.Name}}</td></tr>
          <tr><th>kind</th><td>{{.Kind}}</td></tr>
          <tr><th>start</th><td>+{{.Offset}}</td></tr>
          <tr><th>duration</th><td>{{.Duration}}</td></tr>
          <tr><th>status</th><td>{{.Status}}</td></tr>
          <tr><th>span id</th><td><code>{{.SpanID}}</code></td></tr>
          <tr><th>parent id</th><td><code>{{.ParentID}}</code></td></tr>
          <tr><th>scope</th><td>{{.Scope}}</td></tr>
        </table>
      </section>
      <section>
        <h3>Attributes</h3>
        {{- if .Attributes}}
        <table>{{range .Attributes}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>{{end}}</table>
        {{- else}}<p class="none">none</p>{{end}}
      </section>
      <section>
        <h3>Resource</h3>
        {{- if .Resource}}
        <table>{{range .Resource}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>{{end}}</table>
        {{- else}}<p class="none">none</p>{{end}}
      </section>
      {{- if .Events}}
      <section>
        <h3>Events</h3>
        <table>{{range .Events}}<tr><th>+{{.Offset}} {{.Name}}</th><td>
          {{- range .Attributes}}<div>{{.Label}} = {{.Value}}</div>{{end}}</td></tr>{{end}}</table>
      </section>
      {{- end}}
    </div>
  </details>
  {{- end}}
</main>
<footer>Rendered by crio-trace · times relative to the first span</footer>
</body>
</html>
`))

// pageCSS styles the page; it is inline so the file stands alone.
const pageCSS = `
:root { --lbl: 36%; --line: #e5e7eb; --ink: #111827; --muted: #6b7280; --err: #dc2626; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #f3f4f6; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.top { background: #111827; color: #f9fafb; padding: 14px 20px 12px; }
.top h1 { margin: 0 0 6px; font-size: 18px; font-weight: 600; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 22px; color: #9ca3af; font-size: 12px; }
.meta b, .meta code { color: #f9fafb; font-weight: 600; }
.errcount { color: #fecaca; background: #7f1d1d; border-radius: 9px; padding: 0 8px; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 18px; padding: 9px 20px;
  background: #fff; border-bottom: 1px solid var(--line); }
.svc { font-weight: 600; }
.svc small { color: var(--muted); font-weight: 400; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
.hint { margin-left: auto; color: var(--muted); font-size: 12px; }
.wf { margin: 14px 20px; background: #fff; border: 1px solid #d1d5db; border-radius: 6px; overflow: hidden;
  box-shadow: 0 1px 2px rgba(0,0,0,.05); }
.row { display: flex; min-height: 30px; }
.lbl { flex: 0 0 var(--lbl); max-width: var(--lbl); display: flex; align-items: center; gap: 5px; padding: 0 10px;
  overflow: hidden; white-space: nowrap; border-right: 1px solid var(--line); }
.tl { flex: 1; position: relative; overflow: hidden;
  background: linear-gradient(to right, var(--line) 1px, transparent 1px) 0 0 / 25% 100%; }
.head { background: #f9fafb; border-bottom: 1px solid #d1d5db; font-size: 11px; color: var(--muted);
  text-transform: uppercase; letter-spacing: .04em; }
.head .lbl { font-weight: 600; }
.tick { position: absolute; top: 8px; padding: 0 5px; text-transform: none; letter-spacing: 0; }
details.span { border-bottom: 1px solid #f1f2f4; }
details.span:last-of-type { border-bottom: 0; }
summary { display: block; list-style: none; cursor: pointer; }
summary::-webkit-details-marker { display: none; }
summary:hover { background: #f5f8ff; }
details[open] > summary { background: #eef3ff; }
.g { flex: 0 0 16px; align-self: stretch; border-left: 1px solid #d1d5db; margin-left: 4px; }
.tw { flex: 0 0 10px; width: 0; height: 0; border-style: solid; border-width: 4px 0 4px 6px;
  border-color: transparent transparent transparent #9ca3af; transition: transform .1s; }
.tw.leaf { border-color: transparent; }
details[open] > summary .tw { transform: rotate(90deg); }
.dot { flex: 0 0 9px; height: 9px; border-radius: 50%; }
.sv { color: var(--muted); font-size: 12px; }
.nm { overflow: hidden; text-overflow: ellipsis; font-weight: 500; }
.bar { position: absolute; top: 9px; height: 12px; min-width: 2px; border-radius: 2px; opacity: .92; }
.bl { position: absolute; top: 7px; display: flex; font-size: 11px; color: #374151; white-space: nowrap; }
.bl.left { justify-content: flex-end; overflow: hidden; }
.bl .f { color: var(--muted); margin-left: 8px; }
.bl.left .f { margin: 0 8px 0 0; }
.bl .f span { color: #374151; }
.err .nm { color: var(--err); font-weight: 600; }
.err .bar { box-shadow: 0 0 0 1px #991b1b; }
.x { color: var(--err); }
.note { display: flex; align-items: center; padding: 0 10px 6px; font-size: 12px; }
.note .g { margin-left: 4px; }
.msg { color: var(--err); font-weight: 600; padding-left: 14px; white-space: pre-wrap; }
.orphan { color: #92400e; background: #fef3c7; border-radius: 3px; padding: 0 6px; margin-left: 14px; }
.detail { display: flex; flex-wrap: wrap; gap: 8px 28px; padding: 10px 20px 14px calc(var(--lbl) * .15 + 20px);
  background: #fafbfc; border-top: 1px solid var(--line); }
.detail section { min-width: 260px; }
.detail h3 { margin: 0 0 4px; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.detail table { border-collapse: collapse; font-size: 12px; }
.detail th { text-align: left; font-weight: 500; color: var(--muted); padding: 1px 14px 1px 0; vertical-align: top; white-space: nowrap; }
.detail td { padding: 1px 0; word-break: break-all; }
.none { margin: 0; color: var(--muted); font-size: 12px; }
.empty { padding: 20px; color: var(--muted); }
footer { margin: 0 20px 16px; color: var(--muted); font-size: 11px; }
`
