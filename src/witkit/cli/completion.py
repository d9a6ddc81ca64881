"""``witkit completion bash|zsh|fish``: a shell completion script, generated from the parser.

The script is written from the argparse tree of ``witkit.cli.main.build_parser``
(commands, nested actions such as ``cache prune``, options, which options take a
value, and where a file or directory is expected), so it follows the commands
as they change.  Nothing runs at completion time but the shell: no Python start
per TAB (what argcomplete-style completion costs, ~50 ms here), and no new
dependency.  bash and fish get native scripts; zsh loads the bash one through
its ``bashcompinit`` layer.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

__all__ = [
    "DESCRIPTION",
    "EPILOG",
    "HELP",
    "SHELLS",
    "Command",
    "add_arguments",
    "run",
    "script",
    "tree",
]

#: the command's line in ``witkit --help``
HELP = "print a shell completion script (bash, zsh, fish)"

#: the text of ``witkit completion --help`` (the docstring's first line has markup)
DESCRIPTION = "print a shell completion script for witkit, generated from its commands and options"

#: examples and notes after the options, printed as written
EPILOG = """\
install:
  bash   eval "$(witkit completion bash)"  in ~/.bashrc, or save it as
         ~/.local/share/bash-completion/completions/witkit
  zsh    eval "$(witkit completion zsh)"  in ~/.zshrc (after compinit)
  fish   witkit completion fish > ~/.config/fish/completions/witkit.fish

examples:
  witkit completion bash > ~/.local/share/bash-completion/completions/witkit
  witkit completion fish | source
"""

SHELLS = ("bash", "zsh", "fish")


@dataclass
class Command:
    """One parser of the tree: its sub-commands, options and operands, as completion needs them."""

    path: tuple[str, ...]
    help: str = ""
    commands: dict[str, Command] = field(default_factory=dict)
    #: option string -> None (a switch) or what its value is ("file", "dir", "word", or choices)
    options: dict[str, str | tuple[str, ...] | None] = field(default_factory=dict)
    option_help: dict[str, str] = field(default_factory=dict)
    #: whether its operands are files
    files: bool = False


def _value_kind(action: argparse.Action) -> str | tuple[str, ...] | None:
    if action.nargs == 0:
        return None
    if action.choices is not None:
        return tuple(str(choice) for choice in action.choices)
    metavar = str(action.metavar or action.dest).upper()
    if "DIR" in metavar or metavar.startswith("HOST"):
        return "dir"
    if any(word in metavar for word in ("FILE", "PATH", "OUT", "COMPONENT")):
        return "file"
    return "word"


def tree(parser: argparse.ArgumentParser, path: tuple[str, ...] = (), help: str = "") -> Command:
    """The completion view of ``parser`` and everything under it."""
    command = Command(path, help)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: str(choice.help or "") for choice in action._choices_actions}
            for name, sub in action.choices.items():
                command.commands[name] = tree(sub, (*path, name), helps.get(name, ""))
        elif action.option_strings:
            kind = _value_kind(action)
            for option in action.option_strings:
                command.options[option] = kind
                command.option_help[option] = str(action.help or "").split("(")[0].strip()
        elif action.choices is not None:  # a word from a list (``completion SHELL``)
            for choice in action.choices:
                command.commands[str(choice)] = Command((*path, str(choice)))
        else:
            command.files = True
    return command


def _walk(command: Command) -> list[Command]:
    found = [command]
    for sub in command.commands.values():
        found.extend(_walk(sub))
    return found


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def bash(root: Command) -> str:
    """A bash completion function for ``witkit`` (``complete -F``)."""
    commands, options, values, files = [], [], [], []
    for command in _walk(root):
        key = _quote(" ".join(command.path))
        if command.commands:
            commands.append(f"    {key}) echo {_quote(' '.join(command.commands))} ;;")
        options.append(f"    {key}) echo {_quote(' '.join(command.options))} ;;")
        for option, kind in command.options.items():
            if kind is not None:
                what = " ".join(kind) if isinstance(kind, tuple) else f":{kind}"
                values.append(
                    f"    {_quote(' '.join((*command.path, option)))}) echo {_quote(what)} ;;"
                )
        if command.files and not command.commands:
            files.append(key)
    return _BASH.format(
        commands="\n".join(commands),
        options="\n".join(options),
        values="\n".join(values),
        files="|".join(files) or "''",
    )


_BASH = """\
# bash completion for witkit (generated by `witkit completion bash`)
_witkit_commands() {{
  case "$1" in
{commands}
  esac
}}
_witkit_options() {{
  case "$1" in
{options}
  esac
}}
_witkit_value() {{
  case "$1" in
{values}
  esac
}}
_witkit() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" word i value sub
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${{COMP_WORDS[i]}}"
    if [[ $word == -* ]]; then
      [[ -n "$(_witkit_value "${{path:+$path }}$word")" ]] && ((i++))
      continue
    fi
    sub=" $(_witkit_commands "$path") "
    if [[ $sub == *" $word "* ]]; then
      path="${{path:+$path }}$word"
    fi
  done
  if ((COMP_CWORD > 1)); then
    value="$(_witkit_value "${{path:+$path }}${{COMP_WORDS[COMP_CWORD - 1]}}")"
    case "$value" in
      "") ;;
      :dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
      :file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
      :word) return ;;
      *) COMPREPLY=($(compgen -W "$value" -- "$cur")); return ;;
    esac
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_witkit_options "$path")" -- "$cur"))
    return
  fi
  sub="$(_witkit_commands "$path")"
  if [[ -n $sub ]]; then
    COMPREPLY=($(compgen -W "$sub" -- "$cur"))
    return
  fi
  case "$path" in
    {files}) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}}
complete -o filenames -o bashdefault -F _witkit witkit
"""


def zsh(root: Command) -> str:
    """The bash function, loaded through zsh's ``bashcompinit``."""
    return (
        "# zsh completion for witkit (generated by `witkit completion zsh`)\n"
        "autoload -U +X compinit && { (( ${+_comps} )) || compinit; }\n"
        "autoload -U +X bashcompinit && bashcompinit\n" + bash(root).split("\n", 1)[1]
    )


def fish(root: Command) -> str:
    """``complete`` lines for fish, one per command and option."""
    lines = [
        "# fish completion for witkit (generated by `witkit completion fish`)",
        "complete -c witkit -f",
    ]
    for command in _walk(root):
        if command.path:
            parent = command.path[:-1]
            siblings = " ".join(_parent_of(root, parent).commands)
            condition = _fish_condition(parent, siblings)
            lines.append(
                f"complete -c witkit -n {_quote(condition)} -a {command.path[-1]}"
                f" -d {_quote(command.help)}"
            )
        condition = _fish_condition(command.path, " ".join(command.commands), inside=True)
        for option, kind in command.options.items():
            flag = f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"
            extra = ""
            if isinstance(kind, tuple):
                extra = f" -x -a {_quote(' '.join(kind))}"
            elif kind == "dir":
                extra = " -x -a '(__fish_complete_directories)'"
            elif kind == "file":
                extra = " -r -F"
            elif kind == "word":
                extra = " -x"
            lines.append(
                f"complete -c witkit -n {_quote(condition)} {flag}{extra}"
                f" -d {_quote(command.option_help[option])}"
            )
        if command.files and not command.commands:
            lines.append(f"complete -c witkit -n {_quote(condition)} -F")
    return "\n".join(lines) + "\n"


def _parent_of(root: Command, path: tuple[str, ...]) -> Command:
    node = root
    for name in path:
        node = node.commands[name]
    return node


def _fish_condition(path: tuple[str, ...], children: str, *, inside: bool = False) -> str:
    """Fish's test that the command line is at ``path`` (and, unless ``inside``, that none
    of its children has been typed yet)."""
    if not path:
        return "__fish_use_subcommand" if not inside or children else "true"
    test = f"__fish_seen_subcommand_from {path[-1]}"
    if children and not inside:
        test += f"; and not __fish_seen_subcommand_from {children}"
    if children and inside:
        test += f"; and not __fish_seen_subcommand_from {children}"
    return test


def script(shell: str) -> str:
    """The completion script for ``shell`` (one of ``SHELLS``)."""
    from witkit.cli.main import build_parser

    root = tree(build_parser())
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](root)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete for")


def run(args: argparse.Namespace) -> int:
    print(script(args.shell), end="")
    return 0
