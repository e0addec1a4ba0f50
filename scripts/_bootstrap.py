"""Make the repository's ``report_archive`` package importable when a script is run directly.

Also what scripts need from the site's MkDocs configuration (the core itself never imports MkDocs).
"""

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def site_renderer(config_file: Path) -> Callable[[str], str]:
    """Markdown to HTML with the Markdown extensions and settings of the site's ``mkdocs.yml``."""
    import markdown
    from mkdocs.config import load_config

    config = load_config(str(config_file))
    converter = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    return lambda text: converter.reset().convert(text)


def corpus_arguments(parser) -> None:
    """The benchmarks' options for the corpus they build (see ``report_archive.benchcorpus``)."""
    parser.add_argument("--copies", action="store_true", help="用旧方法：复制演示报告（供对比），而不是生成的基准语料")
    parser.add_argument("--seed", type=int, default=1, help="生成语料的随机种子（默认 1）")
    parser.add_argument("--templates", default=str(ROOT / "docs" / "reports"), help="语料来源的报告（默认演示档案）")
