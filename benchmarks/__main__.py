"""`make bench`: measures the kiosk against floors taken in the same run."""

import sys


def main() -> int:
    print("no benchmarks yet: start-up, memory, CPU, frame rate and call latency come with")
    print("the screens, media and call-nurse work; see the README for what will be measured.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
