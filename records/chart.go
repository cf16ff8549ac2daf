package records

import (
	"bytes"
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"beredskab/workflows"
)

// Chart sizes in pixels: ChartWidth × ChartHeight at ChartDPI.
const (
	ChartWidth  = 1000
	ChartHeight = 500
	ChartDPI    = 96
)

// Chart draws the visits and the persons met per month of the report as
// grouped bars, titled in lang, and returns it as a PNG of ChartWidth ×
// ChartHeight pixels.
func (r Report) Chart(lang workflows.Lang) ([]byte, error) {
	t := func(da, en string) string { return workflows.Text{Da: da, En: en}.In(lang) }
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s %s", t("Besøg og personer mødt pr. måned", "Visits and persons met per month"), r.Period)
	p.Y.Label.Text = t("Antal", "Count")
	p.Y.Min = 0

	visits := make(plotter.Values, len(r.Months))
	persons := make(plotter.Values, len(r.Months))
	names := make([]string, len(r.Months))
	for i, m := range r.Months {
		visits[i], persons[i] = float64(m.Visits), float64(m.Persons)
		names[i] = monthLabel(m.Month, len(r.Months))
	}
	if len(r.Months) == 0 {
		return nil, fmt.Errorf("chart %s: the period has no months", r.Period)
	}
	width := vg.Length(ChartWidth) * vg.Inch / ChartDPI
	height := vg.Length(ChartHeight) * vg.Inch / ChartDPI
	// Two bars per month in the width left after the axes.
	bar := (width - 1.2*vg.Inch) / vg.Length(len(r.Months)) * 0.35
	vb, err := plotter.NewBarChart(visits, bar)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", r.Period, err)
	}
	vb.Color = color.RGBA{R: 0x1f, G: 0x5f, B: 0x99, A: 0xff}
	vb.LineStyle.Width = 0
	vb.Offset = -bar / 2
	pb, err := plotter.NewBarChart(persons, bar)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", r.Period, err)
	}
	pb.Color = color.RGBA{R: 0xe0, G: 0x8a, B: 0x1e, A: 0xff}
	pb.LineStyle.Width = 0
	pb.Offset = bar / 2
	p.Add(plotter.NewGrid(), vb, pb)
	p.Legend.Add(t("Besøg", "Visits"), vb)
	p.Legend.Add(t("Personer mødt", "Persons met"), pb)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(10)
	p.NominalX(names...)
	// Room for the outer bars and, above the highest, for the legend.
	p.X.Min, p.X.Max = -0.6, float64(len(r.Months))-0.4
	top := 1.0
	for i := range visits {
		top = max(top, visits[i], persons[i])
	}
	p.Y.Max = top * 1.2

	c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(ChartDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart %s: encode png: %w", r.Period, err)
	}
	return buf.Bytes(), nil
}

// monthLabel is a month as the axis shows it: "03" within one year; over
// up to three years the year at each January and the quarter months between;
// over more, the year at every January of every step-th year, so that about
// twenty labels fit the width.
func monthLabel(month string, n int) string {
	mm := month[5:]
	switch {
	case n <= 12:
		return mm
	case n <= 36:
		if mm == "01" {
			return month[:4]
		}
		if mm == "04" || mm == "07" || mm == "10" {
			return mm
		}
		return ""
	}
	step := (n/12 + 19) / 20
	if y, err := strconv.Atoi(month[:4]); err == nil && mm == "01" && y%step == 0 {
		return month[:4]
	}
	return ""
}
