module github.com/omnivibepro/omnivibe

go 1.26.0

require (
	github.com/hajimehoshi/go-mp3 v0.3.4
	golang.org/x/text v0.44.0
)
