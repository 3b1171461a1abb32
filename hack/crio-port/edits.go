package main

import (
	"go/ast"
	"go/token"
)

// Every edit of a CRI-O file, file by file. Each finds its anchors in the
// syntax tree (see astedit.go) and fails naming the file and the anchor when
// CRI-O's code has moved. The comments say what changes and why; the guideline
// (enhancements/distributed-tracing-with-opentelemetry.md, "Meet CRI-O") and
// docs/crio-port.md give the whole picture.

func (p *port) applyEdits() error {
	for _, e := range []struct {
		file string
		fn   func(*fileEdit) error
	}{
		{"cmd/crio/main.go", editMain},
		{"internal/log/interceptors/interceptors.go", editInterceptors},
		{"internal/log/log.go", editLog},
		{"internal/opentelemetry/tracing_config.go", editTracingConfig},
		{"pkg/config/config.go", editConfig},
		{"pkg/config/reload.go", editReload},
	} {
		f, err := p.open(e.file)
		if err != nil {
			return err
		}
		if err := e.fn(f); err != nil {
			return err
		}
		if err := f.save(); err != nil {
			return err
		}
	}
	return nil
}

// editMain: the kit's Provider and Server replace CRI-O's tracer provider and
// its grpc.Server, which always carried the otelgrpc stats handler; the
// shutdown drains RPCs before it flushes spans (CRI-O flushed first, losing
// the spans of calls in flight); SIGHUP reaches the provider.
func editMain(f *fileEdit) error {
	// 1. The set-up: from "var (tracerProvider …)" through
	//    "grpcServer := grpc.NewServer(…)" becomes the kit's provider.
	decl, err := find(f, f.file, "var tracerProvider (the tracing set-up)", func(d *ast.DeclStmt) bool {
		g, ok := d.Decl.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			return false
		}
		for _, s := range g.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				if n.Name == "tracerProvider" {
					return true
				}
			}
		}
		return false
	})
	if err != nil {
		return err
	}
	newServer, err := find(f, f.file, "grpcServer := grpc.NewServer(…)", func(a *ast.AssignStmt) bool {
		c, ok := a.Rhs[0].(*ast.CallExpr)
		return assigns(a, "grpcServer") && ok && isSel(c.Fun, "grpc", "NewServer")
	})
	if err != nil {
		return err
	}
	f.replace(decl, newServer, `// crio-trace: the tracing kit owns tracing. Disabled, it builds
		// nothing, and the gRPC server carries no stats handler; with no
		// collector it removes the instrumentation, says so once, and puts it
		// back when the collector answers. SIGHUP applies [crio.tracing].
		tracingConfig, err := config.TracingConfig.Kit()
		if err != nil {
			logrus.Fatalf("Failed to read the tracing configuration: %v", err)
		}

		tracerProvider, err := opentelemetry.NewProvider(ctx, tracingConfig)
		if err != nil {
			logrus.Fatalf("Failed to initialize tracing: %v", err)
		}

		config.SetTracingReloader(tracerProvider.Reload)`)

	// 2. The services are registered on every grpc.Server generation the
	//    kit builds, with CRI-O's interceptors and message limits.
	regRuntime, err := find(f, f.file, "v1.RegisterRuntimeServiceServer(grpcServer, crioServer)", func(s *ast.ExprStmt) bool {
		c := callOf(s)
		return c != nil && isSel(c.Fun, "v1", "RegisterRuntimeServiceServer")
	})
	if err != nil {
		return err
	}
	regImage, err := find(f, f.file, "v1.RegisterImageServiceServer(grpcServer, crioServer)", func(s *ast.ExprStmt) bool {
		c := callOf(s)
		return c != nil && isSel(c.Fun, "v1", "RegisterImageServiceServer")
	})
	if err != nil {
		return err
	}
	f.replace(regRuntime, regImage, `// crio-trace: one grpc.Server per tracing state, built here; the
		// kit swaps them on one listener when tracing is switched on or off
		// or the collector comes and goes, without dropping a call.
		grpcServer := tracing.NewServer(tracerProvider, func(opts ...grpc.ServerOption) *grpc.Server {
			g := grpc.NewServer(append(opts,
				grpc.UnaryInterceptor(grpc_middleware.ChainUnaryServer(
					interceptors.UnaryInterceptor(),
				)),
				grpc.StreamInterceptor(grpc_middleware.ChainStreamServer(
					interceptors.StreamInterceptor(),
				)),
				grpc.MaxSendMsgSize(config.GRPCMaxSendMsgSize),
				grpc.MaxRecvMsgSize(config.GRPCMaxRecvMsgSize),
			)...)
			v1.RegisterRuntimeServiceServer(g, crioServer)
			v1.RegisterImageServiceServer(g, crioServer)

			return g
		})`)

	// 3. catchShutdown takes the kit's types, and drains before it flushes.
	catch, err := f.funcDecl("", "catchShutdown")
	if err != nil {
		return err
	}
	for name, typ := range map[string]string{"gserver": "*tracing.Server", "tp": "*tracing.Provider"} {
		field, err := find(f, catch.Type.Params, "catchShutdown parameter "+name, func(fl *ast.Field) bool {
			return len(fl.Names) == 1 && fl.Names[0].Name == name
		})
		if err != nil {
			return err
		}
		f.replace(field.Type, field.Type, typ)
	}
	flush, err := find(f, catch.Body, "if tp != nil { tp.Shutdown … } in catchShutdown", func(s *ast.IfStmt) bool {
		b, ok := s.Cond.(*ast.BinaryExpr)
		if !ok {
			return false
		}
		id, ok := b.X.(*ast.Ident)
		return ok && id.Name == "tp" && b.Op == token.NEQ
	})
	if err != nil {
		return err
	}
	stop, err := find(f, catch.Body, "gserver.GracefulStop() in catchShutdown", func(s *ast.ExprStmt) bool {
		c := callOf(s)
		return c != nil && isSel(c.Fun, "gserver", "GracefulStop")
	})
	if err != nil {
		return err
	}
	f.replace(flush, stop, `// crio-trace: drain the RPCs in flight first (their server spans
			// end when they do), then flush the spans; flushing first, as
			// CRI-O did, loses the spans of the calls still running.
			drainCtx, drainCancel := context.WithTimeout(ctx, 30*time.Second)
			if err := gserver.Shutdown(drainCtx); err != nil {
				log.Warnf(ctx, "In-flight RPCs did not finish in time and were stopped: %v", err)
			}

			drainCancel()

			flushCtx, flushCancel := context.WithTimeout(ctx, 10*time.Second)
			if err := tp.Shutdown(flushCtx); err != nil {
				log.Warnf(ctx, "Error flushing spans: %v", err)
			}

			flushCancel()`)
	f.addImport(crioModule + "/internal/tracing")
	f.dropIfUnused("go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc", "go.opentelemetry.io/otel/sdk/trace")
	return nil
}

// editInterceptors: the unary interceptor stops starting a second span per
// RPC (named after the method, under the global tracer) and stops logging
// whole requests and responses at debug level, which put pull credentials
// and environment values in the log. Instead it puts the allow-listed CRI
// attributes on otelgrpc's span, logs only those, and records the error on
// the span once.
func editInterceptors(f *fileEdit) error {
	unary, err := f.funcDecl("", "UnaryInterceptor")
	if err != nil {
		return err
	}
	start, err := find(f, unary.Body, "newCtx, span := opentelemetry.Tracer().Start(…)", func(a *ast.AssignStmt) bool {
		return assigns(a, "newCtx") && assigns(a, "span")
	})
	if err != nil {
		return err
	}
	f.replace(start, start, `// crio-trace: no second span: the RPC's span is otelgrpc's, and it
		// gets the call's allow-listed pod and container attributes.
		newCtx := AddRequestNameAndID(ctx, info.FullMethod)
		annotator.Annotate(newCtx, req)`)
	for _, which := range []struct{ format, arg, text string }{
		{"Request: %+v", "req", `// crio-trace: never the whole request: it holds pull credentials
		// and environment values.
		log.Debugf(newCtx, "Request: %s", requestLine{req})`},
		{"Response: %+v", "resp", `annotator.Observe(newCtx, req, resp)
			log.Debugf(newCtx, "Response: %s", responseLine{resp})`},
	} {
		stmt, err := find(f, unary.Body, `log.Debugf(newCtx, "`+which.format+`", `+which.arg+`)`, func(s *ast.ExprStmt) bool {
			c := callOf(s)
			return c != nil && isSel(c.Fun, "log", "Debugf") && len(c.Args) == 3 && stringLit(c.Args[1], which.format)
		})
		if err != nil {
			return err
		}
		f.replace(stmt, stmt, which.text)
	}
	end, err := find(f, unary.Body, "span.End() in UnaryInterceptor", func(s *ast.ExprStmt) bool {
		c := callOf(s)
		return c != nil && isSel(c.Fun, "span", "End")
	})
	if err != nil {
		return err
	}
	f.replace(end, end, `tracing.RecordRPCError(trace.SpanFromContext(newCtx), tracing.ToStatusError(err))`)
	f.addImport(crioModule + "/internal/tracing")
	f.addImport("go.opentelemetry.io/otel/trace")
	f.dropIfUnused(crioModule + "/internal/opentelemetry")
	return nil
}

// editLog: StartSpan named spans after Go symbols (runtime.Caller) under an
// unnamed tracer. The overlay's internal/log/spans.go replaces it with
// StartSpan(ctx, name) and RPCSpan; renameSpans rewrites the call sites.
func editLog(f *fileEdit) error {
	d, err := f.funcDecl("", "StartSpan")
	if err != nil {
		return err
	}
	f.deleteFunc(d)
	f.dropIfUnused("runtime", "go.opentelemetry.io/otel/trace")
	return nil
}

// editTracingConfig: InitTracing (provider, forced-insecure exporter, global
// provider) goes; the overlay's NewProvider builds the kit's Provider.
func editTracingConfig(f *fileEdit) error {
	d, err := f.funcDecl("", "InitTracing")
	if err != nil {
		return err
	}
	f.deleteFunc(d)
	f.dropIfUnused("context", "fmt", "os",
		"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
		"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc",
		"go.opentelemetry.io/otel/propagation",
		"go.opentelemetry.io/otel/sdk/resource",
		"go.opentelemetry.io/otel/sdk/trace",
		"go.opentelemetry.io/otel/semconv/v1.12.0")
	return nil
}

// editConfig: [crio.tracing] gains the kit's tracing_* keys (an embedded
// tracing.Extensions, decoded from the same table) with their defaults;
// Validate checks the table with the kit's rules, naming the key; Config
// keeps the reloader main registers.
func editConfig(f *fileEdit) error {
	tc, err := find(f, f.file, "type TracingConfig struct", func(ts *ast.TypeSpec) bool {
		_, ok := ts.Type.(*ast.StructType)
		return ts.Name.Name == "TracingConfig" && ok
	})
	if err != nil {
		return err
	}
	st := tc.Type.(*ast.StructType)
	f.insertBefore(closing(st.Fields), `
	// The tracing kit's keys beyond the three above (crio-trace):
	// tracing_protocol, tracing_tls*, tracing_service_name,
	// tracing_sampling_rules, tracing_export_*, tracing_probe_interval.
	tracing.Extensions
`)
	cfg, err := find(f, f.file, "type Config struct", func(ts *ast.TypeSpec) bool {
		_, ok := ts.Type.(*ast.StructType)
		return ts.Name.Name == "Config" && ok
	})
	if err != nil {
		return err
	}
	f.insertBefore(closing(cfg.Type.(*ast.StructType).Fields), `
	// tracingReloader applies [crio.tracing] to the running tracing on
	// SIGHUP (SetTracingReloader).
	tracingReloader func(context.Context, tracing.Config) error
`)
	def, err := f.funcDecl("", "DefaultConfig")
	if err != nil {
		return err
	}
	lit, err := find(f, def.Body, "TracingConfig: TracingConfig{…} in DefaultConfig", func(cl *ast.CompositeLit) bool {
		id, ok := cl.Type.(*ast.Ident)
		return ok && id.Name == "TracingConfig"
	})
	if err != nil {
		return err
	}
	f.insertBefore(closingBrace(lit), "\tExtensions: defaultTracingExtensions(),\n")
	validate, err := f.funcDecl("Config", "Validate")
	if err != nil {
		return err
	}
	api, err := find(f, validate.Body, "if err := c.APIConfig.Validate(…) in Config.Validate", func(s *ast.IfStmt) bool {
		a, ok := s.Init.(*ast.AssignStmt)
		if !ok || len(a.Rhs) != 1 {
			return false
		}
		c, ok := a.Rhs[0].(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "Validate" && isSel(sel.X, "c", "APIConfig")
	})
	if err != nil {
		return err
	}
	f.insertAfter(api, `

	if err := c.TracingConfig.Validate(); err != nil {
		return fmt.Errorf("validating tracing config: %w", err)
	}`)
	f.addImport(crioModule + "/internal/tracing")
	return nil
}

// editReload: SIGHUP's reload applies [crio.tracing] too, through the
// reloader main registered, after everything CRI-O already reloads.
func editReload(f *fileEdit) error {
	reload, err := f.funcDecl("Config", "Reload")
	if err != nil {
		return err
	}
	runtimes, err := find(f, reload.Body, "if err := c.ReloadRuntimes(newConfig) in Config.Reload", func(s *ast.IfStmt) bool {
		a, ok := s.Init.(*ast.AssignStmt)
		if !ok || len(a.Rhs) != 1 {
			return false
		}
		c, ok := a.Rhs[0].(*ast.CallExpr)
		return ok && isSel(c.Fun, "c", "ReloadRuntimes")
	})
	if err != nil {
		return err
	}
	f.insertAfter(runtimes, `

	if err := c.ReloadTracing(ctx, newConfig); err != nil {
		return err
	}`)
	return nil
}

// closing returns a node at the closing brace of a field list, to insert
// before it.
func closing(fl *ast.FieldList) ast.Node { return pos(fl.Closing) }

// closingBrace returns a node at the closing brace of a composite literal.
func closingBrace(cl *ast.CompositeLit) ast.Node { return pos(cl.Rbrace) }

// pos is a zero-width node at p.
type pos token.Pos

func (p pos) Pos() token.Pos { return token.Pos(p) }
func (p pos) End() token.Pos { return token.Pos(p) }
