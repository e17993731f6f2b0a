"""A toy C/m4 project written for these tests (not sendmail code): an old release ("base") and a
newer one ("donor") that added a retry-without-encryption feature, with the same kinds of drift
that separate sendmail 8.15.2 from 8.16+: moved context, `# endif` vs `#endif`, a brace-less
`else` that must gain braces, a declaration whose neighbours changed, a header that does not exist
in the base, helper macros the base lacks."""

from __future__ import annotations

from pathlib import Path

BASE_SEND_C = """\
/* toy mailer: send.c (old release) */
#include "toy.h"

static int helper_count;

int
send_one(env, host)
	ENV *env;
	char *host;
{
	int rc;
	bool quiet;
	char *p;
	int tries;

	rc = 0;
	tries = 0;
	start_clock();

	if (debug_level(5))
		log_debug("send_one %s", host);

  again:
	conn = open_conn(host);
	if (conn == NULL)
		return EX_TEMPFAIL;

# if CRYPTO
	if (conn->state != CLOSED)
	{
		bool usecrypt;

		usecrypt = has_flag(conn, F_CRYPT);
		if (usecrypt)
			usecrypt = !env_flag(env, E_NOCRYPT);

		if (usecrypt)
		{
			rc = start_crypt(conn);
			if (rc != EX_OK)
				set_macro(env, "crypto", "FAILED");
		}
		else
			set_macro(env, "crypto",
				  "NONE");
		if (rc == EX_SOFTWARE)
		{
			drop_conn(conn);
			close_conn(conn, env);
		}
		else
		{
			quit_conn(conn);
		}
	}
# endif /* CRYPTO */
	return rc;
}
"""

DONOR_SEND_C = """\
/* toy mailer: send.c (new release) */
#include "toy.h"
#include "crypto.h"

static int helper_count;
static int extra_count;

int
send_one(env, host)
	ENV *env;
	char *host;
{
	int rc;
	bool quiet;
	char *p;
#if CRYPTO
	/* 0: try crypto, 1: retry in clear, >1: give up */
	int cstate;
# if PINNING
	PIN_CTX pin;
# endif
#endif
	long budget;

	rc = 0;
	budget = 0;
	start_clock();
#if CRYPTO
	cstate = 0;
# if PINNING
	memset(&pin, 0, sizeof(pin));
# endif
#endif

	if (debug_level(5))
		log_debug("send_one %s", host);

  again:
	conn = open_conn(host);
	if (conn == NULL)
		return EX_TEMPFAIL;

#if CRYPTO
	if (conn->state != CLOSED)
	{
		bool usecrypt;

		usecrypt = has_flag(conn, F_CRYPT) || implicit;
		if (usecrypt)
			usecrypt = !env_flag(env, E_NOCRYPT);
		if (usecrypt)
			usecrypt = cstate == 0;

		if (usecrypt)
		{
			rc = start_crypt(conn);
			if (rc != EX_OK)
				set_macro(env, "crypto", "FAILED");
		}
		else
		{
			p = cstate == 0 ? "NONE" : "CLEAR";
# if PINNING
			if (pin.required)
				p = "PIN_FAIL";
# endif
			set_macro(env, "crypto", p);
		}
		if (rc == EX_SOFTWARE)
		{
			SM_CLOSE_FP(conn->out);
			drop_conn(conn);
			close_conn(conn, env);

			if ((RetryClear ||
			     SESSION_FLAG(conn, S_RETRY)) &&
			    !SESSION_FLAG(conn, S_NORETRY)
# if PINNING
			    && pin.state != PIN_OK
# endif
			   )
			{
				++cstate;
			}
		}
		else
		{
			quit_conn(conn);
		}
		if (cstate == 1)
		{
			++cstate;
			rc = EX_OK;
			goto again;
		}
	}
#endif /* CRYPTO */
	return rc;
}
"""

BASE_TOY_H = """\
/* toy mailer: toy.h (old release) */
#ifndef TOY_H
# define TOY_H
#if CRYPTO
EXTERN char	*CryptoKeyFile;
EXTERN unsigned long	CryptoOptions;	/* options */
#endif /* CRYPTO */
#endif /* TOY_H */
"""

DONOR_CRYPTO_H = """\
/* toy mailer: crypto.h (new release only) */
EXTERN char	*CryptoKeyFile;
EXTERN unsigned long	CryptoOptions;	/* options */
EXTERN bool	RetryClear;

EXTERN char	*PinFile;
"""

BASE_PROTO_M4 = """\
# toy proto.m4 (old release)
_OPTION(CryptoKeyFile, `confCRYPTO_KEY_FILE', `')
# crypto options
_OPTION(CryptoOptions, `confCRYPTO_OPTIONS', `')

# Input filters
_OPTION(InputFilters, `confINPUT_FILTERS', `')
"""

DONOR_PROTO_M4 = """\
# toy proto.m4 (new release)
_OPTION(CryptoKeyFile, `confCRYPTO_KEY_FILE', `')
# crypto options
_OPTION(CryptoOptions, `confCRYPTO_OPTIONS', `')
# pin file
_OPTION(PinFile, `confPIN_FILE', `')
# retry in clear after a failed handshake?
_OPTION(RetryClear, `confRETRY_CLEAR', `')

# Input filters
_OPTION(InputFilters, `confINPUT_FILTERS', `')
"""

BASE_HELPERS_H = """\
/* helpers present in the old release */
#define has_flag(c, f)	((c)->flags & (f))
#include <stddef.h>
extern int start_crypt(), env_flag(), debug_level();
extern struct conn *open_conn();
extern void set_macro(), drop_conn(), close_conn(), quit_conn(), log_debug(), start_clock();
typedef struct env ENV;
#define EX_OK 0
#define EX_SOFTWARE 70
#define EX_TEMPFAIL 75
#define F_CRYPT 1
#define E_NOCRYPT 2
#define CLOSED 0
extern struct conn { int state; int flags; void *out; } *conn;
extern int implicit;
#define bool int
"""

DEFINITION = """\
[feature]
id = "retry-clear"
patch_name = "toy-retry-clear.patch"
subject = "Add the RetryClear option"
author = "Test <test@localhost.invalid>"
date = "Thu, 03 Dec 2026 00:00:00 +0000"
resolves = "rhbz#1"
default_donor = "2.0"
donors = ["2.0"]
base = "1.0"
description = "Retry in clear after a failed handshake."

[coverage]
symbols = ['\\bRetryClear\\b', '\\bcstate\\b', '"CLEAR"', 'confRETRY_CLEAR']
files = ["src/send.c", "src/crypto.h", "cf/proto.m4"]

[rules]
drop_conditionals = ["PINNING"]
assume_false_calls = ["SESSION_FLAG"]
drop_statements = ['^\\s*SM_CLOSE_FP\\(']
check_symbols_in = ["src"]

[[change]]
id = "global"
what = "the option's global"
file = "src/crypto.h"
base_file = "src/toy.h"
select = { match = 'EXTERN\\s+bool\\s+RetryClear;' }
guard = "CRYPTO"
anchor = { after = 'CryptoOptions;' }

[[change]]
id = "state-variable"
what = "state"
file = "src/send.c"
scope = "send_one"
select = { match = '^\\s*int\\s+cstate;', with_comment = true }
guard = "CRYPTO"
anchor = { after = '^\\s*char\\s+\\*p;' }

[[change]]
id = "state-init"
what = "reset"
file = "src/send.c"
scope = "send_one"
select = { match = '^\\s*cstate = 0;' }
guard = "CRYPTO"
anchor = { after = 'start_clock\\(\\);' }

[[change]]
id = "skip-on-retry"
what = "no crypto on the retry"
file = "src/send.c"
scope = "send_one"
select = { match = 'usecrypt = cstate == 0;', extend = "statement" }

[[change]]
id = "macro-clear"
what = "CLEAR macro"
file = "src/send.c"
scope = "send_one"
action = "replace"
select = { match = '"CLEAR"', extend = "enclosing-block" }
base_select = { match = '"NONE"\\);', extend = "statement" }

[[change]]
id = "count-failure"
what = "arm the retry"
file = "src/send.c"
scope = "send_one"
select = { match = '^\\s*if \\(\\(RetryClear', extend = "statement" }

[[change]]
id = "retry"
what = "go again"
file = "src/send.c"
scope = "send_one"
select = { match = '^\\s*if \\(cstate == 1\\)', extend = "statement" }

[[change]]
id = "m4-option"
what = "m4 option"
file = "cf/proto.m4"
select = { match = '_OPTION\\(RetryClear,', with_comment = true }
"""


def write_toy(root: Path) -> tuple[Path, Path, Path]:
    """Create base/, donor/ and the definition under `root`; returns (base, donor, definition)."""
    base = root / "base"
    donor = root / "donor"
    files = {
        base / "src/send.c": BASE_SEND_C,
        base / "src/toy.h": BASE_TOY_H,
        base / "src/helpers.h": BASE_HELPERS_H,
        base / "cf/proto.m4": BASE_PROTO_M4,
        donor / "src/send.c": DONOR_SEND_C,
        donor / "src/crypto.h": DONOR_CRYPTO_H,
        donor / "cf/proto.m4": DONOR_PROTO_M4,
        root / "defs/retry-clear.toml": DEFINITION,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return base, donor, root / "defs/retry-clear.toml"
