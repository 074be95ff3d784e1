from ilo.cli.main import main

raise SystemExit(main())
