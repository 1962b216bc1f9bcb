# The two commands of the README. The work is in scripts/, so CI and people run the same steps.
.PHONY: demo test

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh
