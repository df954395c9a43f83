module github.com/omnivibepro/omnivibe

go 1.26
