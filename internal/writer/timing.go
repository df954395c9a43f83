package writer

import (
	"math"
	"strings"
)

// Timing rules of the contract.
const (
	minBlockDeciseconds = 30 // every block lasts at least 3 s
	maxBodyBlocks       = 5
	durationTolerance   = 0.10 // the blocks add up to the target ±10 %
)

// bodyBlockLimit is how many body blocks fit in target seconds: at most five, and few
// enough that the hook, the body blocks and the call to action can all last 3 s and
// still add up to the target (a 10 s video has room for one body block).
func bodyBlockLimit(target int) int {
	return min(maxBodyBlocks, max(1, target/3-2))
}

// assemble times a draft into a Script. Each block's natural length is its reading time
// plus, for every block but the last, the line break that separates it from the next
// one, so that the natural lengths add up to Estimate of the whole script read as one
// text. Blocks are then held to 3 s at least and, when their sum is not within ±10 % of
// the target, rescaled to the target.
func assemble(provider, model string, d draft, language string, target int) Script {
	body := mergeBodyPoints(d.body, bodyBlockLimit(target))

	texts := make([]string, 0, len(body)+2)
	texts = append(texts, d.hook)
	texts = append(texts, body...)
	texts = append(texts, d.cta)

	natural := make([]float64, len(texts))
	for i, t := range texts {
		natural[i] = Estimate(t, language).Seconds
		if i < len(texts)-1 {
			natural[i] += newlinePause
		}
	}
	tenths := timeBlocks(natural, target)

	blocks := make([]Block, len(texts))
	start := 0
	for i, t := range texts {
		typ := BlockBody
		switch i {
		case 0:
			typ = BlockHook
		case len(texts) - 1:
			typ = BlockCTA
		}
		blocks[i] = Block{
			Order:    i,
			Type:     typ,
			Text:     t,
			Duration: float64(tenths[i]) / 10,
			Start:    float64(start) / 10,
			End:      float64(start+tenths[i]) / 10,
		}
		start += tenths[i]
	}
	return Script{
		Provider:          provider,
		Model:             model,
		Hook:              d.hook,
		Body:              strings.Join(body, "\n"),
		CTA:               d.cta,
		Blocks:            blocks,
		EstimatedDuration: float64(start) / 10,
	}
}

// timeBlocks turns natural block lengths (seconds) into durations in tenths of a second
// that obey the timing rules. Working in whole tenths keeps starts and ends exact.
// The caller guarantees len(natural)*3 s <= target.
func timeBlocks(natural []float64, target int) []int {
	tenths := make([]int, len(natural))
	sum := 0
	for i, n := range natural {
		tenths[i] = max(minBlockDeciseconds, int(math.Round(n*10)))
		sum += tenths[i]
	}
	targetTenths := target * 10
	low := int(math.Ceil(float64(targetTenths) * (1 - durationTolerance)))
	high := int(math.Floor(float64(targetTenths) * (1 + durationTolerance)))
	if sum >= low && sum <= high {
		return tenths
	}
	return rescale(natural, targetTenths)
}

// rescale spreads total tenths of a second over the blocks in proportion to their
// natural lengths, with no block under 3 s. Blocks that would fall under the floor are
// pinned to it and the rest is shared again among the others (water filling); whole
// tenths are then handed out by largest remainder so the sum is exactly total.
func rescale(natural []float64, total int) []int {
	n := len(natural)
	pinned := make([]bool, n)
	shares := make([]float64, n)
	for {
		free, budget := 0.0, float64(total)
		for i, v := range natural {
			if pinned[i] {
				budget -= minBlockDeciseconds
			} else {
				free += math.Max(v, 0.1)
			}
		}
		changed := false
		for i, v := range natural {
			if pinned[i] {
				shares[i] = minBlockDeciseconds
				continue
			}
			shares[i] = math.Max(v, 0.1) * budget / free
			if shares[i] < minBlockDeciseconds {
				pinned[i] = true
				changed = true
			}
		}
		if !changed {
			break
		}
	}

	tenths := make([]int, n)
	rest := total
	for i, s := range shares {
		tenths[i] = int(math.Floor(s + 1e-9))
		rest -= tenths[i]
	}
	for ; rest > 0; rest-- {
		best, bestFraction := 0, -1.0
		for i, s := range shares {
			if f := s - float64(tenths[i]); f > bestFraction {
				best, bestFraction = i, f
			}
		}
		tenths[best]++
	}
	return tenths
}

// mergeBodyPoints joins neighbouring body points until at most limit are left, keeping
// their order and spreading them as evenly as possible: a model that wrote seven points
// for a 60 s video still gets every point read, in five blocks.
func mergeBodyPoints(points []string, limit int) []string {
	if len(points) <= limit {
		return points
	}
	merged := make([]string, 0, limit)
	for g := range limit {
		from := g * len(points) / limit
		to := (g + 1) * len(points) / limit
		merged = append(merged, strings.Join(points[from:to], " "))
	}
	return merged
}
