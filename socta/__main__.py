from socta.cli import main

raise SystemExit(main())
