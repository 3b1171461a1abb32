package waterfall

// servicePalette colours services in the HTML page in order of first
// appearance: distinct hues of similar weight that stay readable next to
// the error red.
var servicePalette = []string{
	"#3b82f6", // blue
	"#14b8a6", // teal
	"#f59e0b", // amber
	"#8b5cf6", // violet
	"#ec4899", // pink
	"#22c55e", // green
	"#f97316", // orange
	"#64748b", // slate
}

// errorColor paints failed spans.
const errorColor = "#dc2626"

// serviceColors maps each service of l to its palette colour.
func serviceColors(l layout) map[string]string {
	m := map[string]string{}
	for i, s := range services(l) {
		m[s] = servicePalette[i%len(servicePalette)]
	}
	return m
}
