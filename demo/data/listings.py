"""The demo catalog: each studio's models, in every category and every listing status.

demo-dev's first model is the one whose key seed_demo prints.
"""

from decimal import Decimal

from demo.data.records import DemoModel

MODELS = [
    # demo-dev
    DemoModel(
        developer="demo-dev",
        api_name="demo-summarizer",
        display_name="Demo Summarizer",
        category="summarization",
        tags=("summary", "news", "english"),
        price=Decimal("0.0020"),
        status="active",
        is_public=True,
        description=(
            "Condenses articles, meeting notes and support threads into a few **crisp sentences**. Keeps "
            "names, figures and dates intact and tells you when the source is too short to summarise.\n\n"
            "## Usage\n\n"
            "Send the whole text as the prompt; the answer is its first sentences, in the source's words.\n\n"
            "- Works best from a paragraph up to about 5,000 words.\n"
            "- Plain text in, plain text out: no Markdown or HTML is added.\n"
            "- `parameters` are accepted and ignored.\n\n"
            "## Good to know\n\n"
            "| Input | Answer |\n"
            "| --- | --- |\n"
            "| Under one sentence | The text as it was |\n"
            "| A news article | Its lead, two sentences |\n"
        ),
    ),
    DemoModel(
        developer="demo-dev",
        api_name="demo-chat",
        display_name="Demo Chat",
        category="text_generation",
        tags=("chat", "assistant", "openai-compatible"),
        price=Decimal("0.0040"),
        status="active",
        is_public=True,
        description=(
            "A friendly general-purpose assistant behind an **OpenAI-compatible** chat endpoint. Good at "
            "drafting emails, brainstorming and answering everyday questions.\n\n"
            "## Usage\n\n"
            "Point the `openai` client at the platform and name `demo-chat` as the model:\n\n"
            "1. Create a personal API key under *Your keys*.\n"
            "2. Set `base_url` to this site's `/api/v1`.\n"
            "3. Send a list of messages; earlier turns give it context.\n\n"
            "## Strengths\n\n"
            "- **Drafting**: emails, summaries of a thread, polite refusals.\n"
            "- **Brainstorming**: lists of names, angles and questions.\n"
            "- Streams its answer when asked (`stream: true`).\n"
        ),
    ),
    DemoModel(
        developer="demo-dev",
        api_name="demo-sentiment",
        display_name="Demo Sentiment",
        category="classification",
        tags=("sentiment", "reviews", "english"),
        price=Decimal("0.0005"),
        status="active",
        is_public=True,
        description=(
            "Scores product reviews, tweets and survey answers as **positive**, **neutral** or **negative**, "
            "with a confidence for each label.\n\n"
            "## Usage\n\n"
            "Send one text per call. The answer lists every label with its score, the likeliest first.\n\n"
            "- English only for now.\n"
            "- Short texts (a sentence or two) score best.\n"
            "- Sarcasm is hard: check scores under 0.6 by hand.\n"
        ),
    ),
    DemoModel(
        developer="demo-dev",
        api_name="demo-translate",
        display_name="Demo Translate",
        category="translation",
        tags=("translation", "spanish", "french", "german"),
        price=Decimal("0.0015"),
        status="active",
        is_public=True,
        description=(
            "Translates short texts between English, Spanish, French and German while keeping formatting, "
            "placeholders and product names untouched."
        ),
    ),
    DemoModel(
        developer="demo-dev",
        api_name="demo-code-formatter",
        display_name="Demo Code Formatter",
        category="code_generation",
        tags=("python", "formatting", "lint"),
        price=Decimal("0.0010"),
        status="active",
        is_public=True,
        description=(
            "Reformats Python and JavaScript snippets into a consistent house style and flags obvious "
            "mistakes such as unused imports and shadowed names."
        ),
    ),
    DemoModel(
        developer="demo-dev",
        api_name="demo-vision-beta",
        display_name="Demo Vision (beta)",
        category="multimodal",
        tags=("vision", "captioning", "beta"),
        price=Decimal("0.0080"),
        status="under_review",
        is_public=True,
        description=(
            "Describes images and answers questions about charts and screenshots. Waiting for review before "
            "it goes live."
        ),
    ),
    # nova-labs
    DemoModel(
        developer="nova-labs",
        api_name="nova-chat-70b",
        display_name="Nova Chat 70B",
        category="text_generation",
        tags=("chat", "reasoning", "long-context"),
        price=Decimal("0.0120"),
        status="active",
        is_public=True,
        description=(
            "Nova's flagship assistant: careful multi-step reasoning, **128k-token context** and a calm, "
            "factual tone. Suited to research assistants and internal help desks.\n\n"
            "## Usage\n\n"
            "Give it the documents and the question in one conversation; it cites the passages it used.\n\n"
            "- Long inputs are fine: whole contracts, transcripts or manuals.\n"
            "- Ask for *step by step* to see its reasoning.\n"
            "- Answers in the language of the question.\n\n"
            "> Not for medical or legal decisions without a human review.\n"
        ),
    ),
    DemoModel(
        developer="nova-labs",
        api_name="nova-chat-8b",
        display_name="Nova Chat 8B",
        category="text_generation",
        tags=("chat", "fast", "openai-compatible"),
        price=Decimal("0.0030"),
        status="active",
        is_public=True,
        description=(
            "The small, quick sibling of Nova Chat 70B. Answers in well under a second for autocomplete, "
            "routing and simple Q&A."
        ),
    ),
    DemoModel(
        developer="nova-labs",
        api_name="nova-storyteller",
        display_name="Nova Storyteller",
        category="text_generation",
        tags=("fiction", "creative-writing"),
        price=Decimal("0.0060"),
        status="active",
        is_public=True,
        description=(
            "Writes short stories, product blurbs and game dialogue in a chosen voice, with controls for "
            "length and reading level."
        ),
    ),
    DemoModel(
        developer="nova-labs",
        api_name="nova-instruct-legacy",
        display_name="Nova Instruct (legacy)",
        category="text_generation",
        tags=("chat", "legacy"),
        price=Decimal("0.0020"),
        status="deprecated",
        is_public=True,
        description=(
            "The first Nova instruction model. Superseded by Nova Chat 8B; kept running for existing "
            "integrations until the end of the quarter."
        ),
        sunset_days=45,
        replacement="nova-chat-8b",
        deprecation_note="Nova Chat 8B takes the same prompts; only the model name changes.",
    ),
    DemoModel(
        developer="nova-labs",
        api_name="nova-summarize-pro",
        display_name="Nova Summarize Pro",
        category="summarization",
        tags=("summary", "legal", "long-context"),
        price=Decimal("0.0090"),
        status="active",
        is_public=True,
        description=(
            "Summarises contracts, filings and reports up to 300 pages, with section-by-section bullet "
            "points and a one-paragraph executive summary."
        ),
    ),
    DemoModel(
        developer="nova-labs",
        api_name="nova-embed-internal",
        display_name="Nova Embed (internal)",
        category="embeddings",
        tags=("embeddings", "internal"),
        price=Decimal("0.0001"),
        status="active",
        is_public=False,
        description=(
            "Nova's in-house embedding model used by its own retrieval products; not listed publicly."
        ),
    ),
    # lingua-works
    DemoModel(
        developer="lingua-works",
        api_name="lingua-translate-en-es",
        display_name="Lingua English ⇄ Spanish",
        category="translation",
        tags=("translation", "spanish", "english"),
        price=Decimal("0.0012"),
        status="active",
        is_public=True,
        description=(
            "Natural, idiomatic English-Spanish translation tuned on customer-support and e-commerce text, "
            "with Latin American and European Spanish variants."
        ),
    ),
    DemoModel(
        developer="lingua-works",
        api_name="lingua-translate-multi",
        display_name="Lingua Multilingual",
        category="translation",
        tags=("translation", "multilingual", "50-languages"),
        price=Decimal("0.0025"),
        status="active",
        is_public=True,
        description=(
            "Translates between 50 languages with a glossary option so brand terms and product names stay "
            "exactly as you write them."
        ),
    ),
    DemoModel(
        developer="lingua-works",
        api_name="lingua-localize-ui",
        display_name="Lingua UI Localizer",
        category="translation",
        tags=("localization", "i18n", "json"),
        price=Decimal("0.0018"),
        status="active",
        is_public=True,
        description=(
            "Localises UI strings in JSON, PO and YAML files, respecting placeholders, plurals and length "
            "limits for buttons."
        ),
    ),
    DemoModel(
        developer="lingua-works",
        api_name="lingua-detect",
        display_name="Lingua Language Detector",
        category="classification",
        tags=("language-detection", "multilingual"),
        price=Decimal("0.0002"),
        status="active",
        is_public=True,
        description=(
            "Identifies the language of a text among 120 candidates, even for short messages of a few words."
        ),
    ),
    DemoModel(
        developer="lingua-works",
        api_name="lingua-subtitle-sync",
        display_name="Lingua Subtitle Sync",
        category="other",
        tags=("subtitles", "video", "timing"),
        price=Decimal("0.0030"),
        status="inactive",
        is_public=True,
        description=(
            "Re-times subtitle files to match a new cut of a video. Paused while the timing engine is "
            "rebuilt."
        ),
    ),
    DemoModel(
        developer="lingua-works",
        api_name="lingua-summarize-es",
        display_name="Lingua Resumen",
        category="summarization",
        tags=("summary", "spanish"),
        price=Decimal("0.0015"),
        status="active",
        is_public=True,
        description=(
            "Spanish-first summarisation of news and reports, producing headlines, bullet points or a short "
            "abstract."
        ),
    ),
    # pixelforge
    DemoModel(
        developer="pixelforge",
        api_name="pixelforge-xl",
        display_name="PixelForge XL",
        category="image_generation",
        tags=("text-to-image", "photorealistic", "1024px"),
        price=Decimal("0.0400"),
        status="active",
        is_public=True,
        description=(
            "Photorealistic 1024×1024 images from a text prompt, with strong handling of lighting, hands and "
            "typography on signs and labels."
        ),
    ),
    DemoModel(
        developer="pixelforge",
        api_name="pixelforge-anime",
        display_name="PixelForge Anime",
        category="image_generation",
        tags=("text-to-image", "anime", "illustration"),
        price=Decimal("0.0300"),
        status="active",
        is_public=True,
        description=(
            "Clean cel-shaded illustrations and character sheets in a range of anime styles, consistent "
            "across a series of prompts."
        ),
    ),
    DemoModel(
        developer="pixelforge",
        api_name="pixelforge-logo",
        display_name="PixelForge Logo Studio",
        category="image_generation",
        tags=("logos", "vector", "branding"),
        price=Decimal("0.0500"),
        status="active",
        is_public=True,
        description="Generates simple, scalable logo concepts and icon sets from a short brand description.",
    ),
    DemoModel(
        developer="pixelforge",
        api_name="pixelforge-upscale",
        display_name="PixelForge Upscaler",
        category="image_generation",
        tags=("upscaling", "restoration"),
        price=Decimal("0.0150"),
        status="active",
        is_public=True,
        description=(
            "Upscales photos and renders 4× with detail recovery and mild denoising; restores old scans."
        ),
    ),
    DemoModel(
        developer="pixelforge",
        api_name="pixelforge-inpaint-v1",
        display_name="PixelForge Inpaint v1",
        category="image_generation",
        tags=("inpainting", "editing", "legacy"),
        price=Decimal("0.0200"),
        status="deprecated",
        is_public=True,
        description=(
            "Fills masked regions of an image from a prompt. Replaced by the editing mode of PixelForge XL."
        ),
    ),
    DemoModel(
        developer="pixelforge",
        api_name="pixelforge-caption",
        display_name="PixelForge Caption",
        category="multimodal",
        tags=("captioning", "alt-text", "accessibility"),
        price=Decimal("0.0040"),
        status="active",
        is_public=True,
        description="Writes concise alt text and longer descriptions for product photos and illustrations.",
    ),
    # codewright
    DemoModel(
        developer="codewright",
        api_name="codewright-complete",
        display_name="Codewright Complete",
        category="code_generation",
        tags=("autocomplete", "python", "typescript"),
        price=Decimal("0.0020"),
        status="active",
        is_public=True,
        description=(
            "Low-latency inline completion for Python, TypeScript, Go and Rust, aware of the surrounding "
            "file."
        ),
    ),
    DemoModel(
        developer="codewright",
        api_name="codewright-review",
        display_name="Codewright Review",
        category="code_generation",
        tags=("code-review", "security", "diff"),
        price=Decimal("0.0080"),
        status="active",
        is_public=True,
        description=(
            "Reads a diff and comments like a senior reviewer: bugs, missing tests, security smells and "
            "naming, each with a suggested fix."
        ),
    ),
    DemoModel(
        developer="codewright",
        api_name="codewright-sql",
        display_name="Codewright SQL",
        category="code_generation",
        tags=("sql", "postgresql", "analytics"),
        price=Decimal("0.0040"),
        status="active",
        is_public=True,
        description=(
            "Turns questions in plain English into PostgreSQL queries against a schema you provide, and "
            "explains the query it wrote."
        ),
    ),
    DemoModel(
        developer="codewright",
        api_name="codewright-docstring",
        display_name="Codewright Docstrings",
        category="code_generation",
        tags=("documentation", "python"),
        price=Decimal("0.0015"),
        status="active",
        is_public=True,
        description="Adds accurate docstrings and type hints to Python functions without changing behaviour.",
    ),
    DemoModel(
        developer="codewright",
        api_name="codewright-regex",
        display_name="Codewright Regex",
        category="code_generation",
        tags=("regex", "utilities"),
        price=Decimal("0.0010"),
        status="active",
        is_public=True,
        description=(
            "Builds and explains regular expressions from examples of strings to match and to reject."
        ),
    ),
    DemoModel(
        developer="codewright",
        api_name="codewright-migrate",
        display_name="Codewright Migrate",
        category="code_generation",
        tags=("refactoring", "upgrades"),
        price=Decimal("0.0100"),
        status="under_review",
        is_public=True,
        description="Upgrades code across framework versions (Django, React, Spring) in reviewable steps.",
    ),
    DemoModel(
        developer="codewright",
        api_name="codewright-internal-tests",
        display_name="Codewright Test Writer (private)",
        category="code_generation",
        tags=("testing", "pytest"),
        price=Decimal("0.0050"),
        status="active",
        is_public=False,
        description="Generates pytest suites for legacy modules; used by Codewright's consulting team.",
    ),
    # sonic-systems
    DemoModel(
        developer="sonic-systems",
        api_name="sonic-transcribe",
        display_name="Sonic Transcribe",
        category="speech_to_text",
        tags=("transcription", "english", "timestamps"),
        price=Decimal("0.0060"),
        status="active",
        is_public=True,
        description=(
            "Accurate English transcription with word-level timestamps and speaker labels for calls and "
            "podcasts."
        ),
    ),
    DemoModel(
        developer="sonic-systems",
        api_name="sonic-transcribe-multi",
        display_name="Sonic Transcribe Multilingual",
        category="speech_to_text",
        tags=("transcription", "multilingual"),
        price=Decimal("0.0080"),
        status="active",
        is_public=True,
        description=(
            "Transcribes 40 languages and mixed-language recordings, with automatic language switching."
        ),
    ),
    DemoModel(
        developer="sonic-systems",
        api_name="sonic-voice",
        display_name="Sonic Voice",
        category="text_to_speech",
        tags=("tts", "natural-voice", "english"),
        price=Decimal("0.0050"),
        status="active",
        is_public=True,
        description="Natural, expressive English voices for narration, IVR menus and accessibility features.",
    ),
    DemoModel(
        developer="sonic-systems",
        api_name="sonic-voice-multi",
        display_name="Sonic Voice Multilingual",
        category="text_to_speech",
        tags=("tts", "multilingual"),
        price=Decimal("0.0070"),
        status="active",
        is_public=True,
        description="Twenty languages, each with several voices, with SSML support for pauses and emphasis.",
    ),
    DemoModel(
        developer="sonic-systems",
        api_name="sonic-meeting-notes",
        display_name="Sonic Meeting Notes",
        category="summarization",
        tags=("meetings", "action-items"),
        price=Decimal("0.0050"),
        status="active",
        is_public=True,
        description="Turns meeting transcripts into decisions, action items with owners, and open questions.",
    ),
    DemoModel(
        developer="sonic-systems",
        api_name="sonic-clone-beta",
        display_name="Sonic Voice Clone (beta)",
        category="text_to_speech",
        tags=("voice-cloning", "beta"),
        price=Decimal("0.0200"),
        status="under_review",
        is_public=True,
        description=(
            "Creates a custom voice from five minutes of consented recordings. Under review for consent "
            "checks."
        ),
    ),
    # vectorly
    DemoModel(
        developer="vectorly",
        api_name="vectorly-embed-small",
        display_name="Vectorly Embed Small",
        category="embeddings",
        tags=("embeddings", "search", "384-dim"),
        price=Decimal("0.0001"),
        status="active",
        is_public=True,
        description="Fast 384-dimension sentence embeddings for semantic search and clustering on a budget.",
    ),
    DemoModel(
        developer="vectorly",
        api_name="vectorly-embed-large",
        display_name="Vectorly Embed Large",
        category="embeddings",
        tags=("embeddings", "retrieval", "1024-dim"),
        price=Decimal("0.0004"),
        status="active",
        is_public=True,
        description=(
            "High-recall 1024-dimension embeddings for retrieval-augmented generation over long documents."
        ),
    ),
    DemoModel(
        developer="vectorly",
        api_name="vectorly-rerank",
        display_name="Vectorly Rerank",
        category="embeddings",
        tags=("reranking", "search"),
        price=Decimal("0.0006"),
        status="active",
        is_public=True,
        description=(
            "Re-orders search results by relevance to the query; drops into any keyword or vector search."
        ),
    ),
    DemoModel(
        developer="vectorly",
        api_name="vectorly-code-embed",
        display_name="Vectorly Code Embed",
        category="embeddings",
        tags=("embeddings", "code-search"),
        price=Decimal("0.0003"),
        status="active",
        is_public=True,
        description=(
            "Embeddings trained on source code and docs, for searching large repositories by meaning."
        ),
    ),
    DemoModel(
        developer="vectorly",
        api_name="vectorly-dedupe",
        display_name="Vectorly Dedupe",
        category="other",
        tags=("deduplication", "data-cleaning"),
        price=Decimal("0.0005"),
        status="active",
        is_public=True,
        description="Finds near-duplicate records, tickets and product listings across millions of rows.",
    ),
    DemoModel(
        developer="vectorly",
        api_name="vectorly-embed-v0",
        display_name="Vectorly Embed v0",
        category="embeddings",
        tags=("embeddings", "legacy"),
        price=Decimal("0.0001"),
        status="deprecated",
        is_public=True,
        description="The original Vectorly embedding model. Please move to Vectorly Embed Small.",
    ),
    # clearsignal
    DemoModel(
        developer="clearsignal",
        api_name="clearsignal-toxicity",
        display_name="ClearSignal Toxicity",
        category="classification",
        tags=("moderation", "toxicity", "safety"),
        price=Decimal("0.0004"),
        status="active",
        is_public=True,
        description=(
            "Flags harassment, hate and threats in user-generated content, with per-category scores for your "
            "own thresholds."
        ),
    ),
    DemoModel(
        developer="clearsignal",
        api_name="clearsignal-intent",
        display_name="ClearSignal Intent",
        category="classification",
        tags=("intent", "support", "routing"),
        price=Decimal("0.0006"),
        status="active",
        is_public=True,
        description=(
            "Routes support messages to the right queue: billing, bug report, cancellation, sales and more."
        ),
    ),
    DemoModel(
        developer="clearsignal",
        api_name="clearsignal-spam",
        display_name="ClearSignal Spam Guard",
        category="classification",
        tags=("spam", "moderation"),
        price=Decimal("0.0002"),
        status="active",
        is_public=True,
        description=(
            "Catches spam in comments, sign-ups and contact forms, including link farms and SEO spam."
        ),
    ),
    DemoModel(
        developer="clearsignal",
        api_name="clearsignal-pii",
        display_name="ClearSignal PII Finder",
        category="classification",
        tags=("pii", "privacy", "compliance"),
        price=Decimal("0.0008"),
        status="active",
        is_public=True,
        description=(
            "Finds names, addresses, card numbers and other personal data in text before you store it."
        ),
    ),
    DemoModel(
        developer="clearsignal",
        api_name="clearsignal-emotion",
        display_name="ClearSignal Emotion",
        category="classification",
        tags=("emotion", "sentiment"),
        price=Decimal("0.0005"),
        status="inactive",
        is_public=True,
        description="Detects joy, anger, sadness, fear and surprise in short texts. Temporarily offline.",
    ),
    DemoModel(
        developer="clearsignal",
        api_name="clearsignal-fraud",
        display_name="ClearSignal Fraud Notes",
        category="classification",
        tags=("fraud", "risk"),
        price=Decimal("0.0030"),
        status="active",
        is_public=False,
        description=(
            "Scores free-text claim notes for fraud risk; available to insurance partners on request."
        ),
    ),
    # atlas-research
    DemoModel(
        developer="atlas-research",
        api_name="atlas-vision-qa",
        display_name="Atlas Vision QA",
        category="multimodal",
        tags=("vision", "question-answering", "charts"),
        price=Decimal("0.0100"),
        status="active",
        is_public=True,
        description=(
            "Answers questions about photos, diagrams, charts and scanned documents, citing the region it "
            "looked at."
        ),
    ),
    DemoModel(
        developer="atlas-research",
        api_name="atlas-doc-parse",
        display_name="Atlas Document Parser",
        category="multimodal",
        tags=("ocr", "invoices", "tables"),
        price=Decimal("0.0060"),
        status="active",
        is_public=True,
        description="Extracts fields and tables from invoices, receipts and forms into clean JSON.",
    ),
    DemoModel(
        developer="atlas-research",
        api_name="atlas-video-brief",
        display_name="Atlas Video Brief",
        category="multimodal",
        tags=("video", "summary"),
        price=Decimal("0.0250"),
        status="active",
        is_public=True,
        description=(
            "Watches a short video and writes a timestamped summary of scenes, speakers and on-screen text."
        ),
    ),
    DemoModel(
        developer="atlas-research",
        api_name="atlas-geo-tagger",
        display_name="Atlas Geo Tagger",
        category="other",
        tags=("geolocation", "images"),
        price=Decimal("0.0040"),
        status="active",
        is_public=True,
        description="Suggests where a landscape or street photo was taken, with a confidence radius.",
    ),
    DemoModel(
        developer="atlas-research",
        api_name="atlas-chart-gen",
        display_name="Atlas Chart Builder",
        category="other",
        tags=("charts", "data-visualization"),
        price=Decimal("0.0030"),
        status="active",
        is_public=True,
        description=(
            'Turns a CSV and a sentence ("monthly revenue by region") into a ready-to-embed SVG chart.'
        ),
    ),
    DemoModel(
        developer="atlas-research",
        api_name="atlas-lab-private",
        display_name="Atlas Lab Notebook (private)",
        category="multimodal",
        tags=("research", "internal"),
        price=Decimal("0.0000"),
        status="active",
        is_public=False,
        description="Experimental multimodal notebook assistant used inside Atlas Research.",
    ),
    # brightpath
    DemoModel(
        developer="brightpath",
        api_name="brightpath-tldr",
        display_name="BrightPath TL;DR",
        category="summarization",
        tags=("summary", "email", "fast"),
        price=Decimal("0.0008"),
        status="active",
        is_public=True,
        description=(
            "One-line and three-line summaries of emails and chat threads, fast enough for inbox previews."
        ),
    ),
    DemoModel(
        developer="brightpath",
        api_name="brightpath-paper-digest",
        display_name="BrightPath Paper Digest",
        category="summarization",
        tags=("research", "papers", "science"),
        price=Decimal("0.0040"),
        status="active",
        is_public=True,
        description=(
            "Digests scientific papers into the question, method, findings and limitations, in plain English."
        ),
    ),
    DemoModel(
        developer="brightpath",
        api_name="brightpath-review-miner",
        display_name="BrightPath Review Miner",
        category="summarization",
        tags=("reviews", "insights"),
        price=Decimal("0.0030"),
        status="active",
        is_public=True,
        description=(
            "Reads thousands of customer reviews and reports the top praises and complaints with examples."
        ),
    ),
    DemoModel(
        developer="brightpath",
        api_name="brightpath-tutor",
        display_name="BrightPath Tutor",
        category="text_generation",
        tags=("education", "tutoring"),
        price=Decimal("0.0025"),
        status="active",
        is_public=True,
        description=(
            "A patient tutor for high-school maths and science that explains step by step and checks "
            "understanding with questions."
        ),
    ),
    DemoModel(
        developer="brightpath",
        api_name="brightpath-quiz",
        display_name="BrightPath Quiz Maker",
        category="other",
        tags=("education", "quizzes"),
        price=Decimal("0.0015"),
        status="inactive",
        is_public=True,
        description=(
            "Creates multiple-choice quizzes from a chapter of text. Being reworked after teacher feedback."
        ),
    ),
    DemoModel(
        developer="brightpath",
        api_name="brightpath-readability",
        display_name="BrightPath Readability",
        category="classification",
        tags=("readability", "education"),
        price=Decimal("0.0003"),
        status="active",
        is_public=True,
        description="Grades text by reading level and suggests simpler words for hard sentences.",
    ),
    # quantum-quill (pending approval)
    DemoModel(
        developer="quantum-quill",
        api_name="quill-poet",
        display_name="Quill Poet",
        category="text_generation",
        tags=("poetry", "creative-writing"),
        price=Decimal("0.0020"),
        status="under_review",
        is_public=True,
        description="Writes poems in classic forms (sonnet, haiku, villanelle) on any theme.",
    ),
    DemoModel(
        developer="quantum-quill",
        api_name="quill-headlines",
        display_name="Quill Headlines",
        category="text_generation",
        tags=("marketing", "headlines"),
        price=Decimal("0.0010"),
        status="under_review",
        is_public=True,
        description="Suggests ten headline variants for an article or landing page, scored for clarity.",
    ),
    # rapidgen (suspended)
    DemoModel(
        developer="rapidgen",
        api_name="rapidgen-seo-writer",
        display_name="RapidGen SEO Writer",
        category="text_generation",
        tags=("seo", "marketing"),
        price=Decimal("0.0010"),
        status="active",
        is_public=True,
        description="Bulk-writes keyword-rich articles for search engines.",
    ),
    DemoModel(
        developer="rapidgen",
        api_name="rapidgen-reviews",
        display_name="RapidGen Review Writer",
        category="text_generation",
        tags=("reviews", "marketing"),
        price=Decimal("0.0010"),
        status="active",
        is_public=True,
        description="Writes product reviews in bulk.",
    ),
]
