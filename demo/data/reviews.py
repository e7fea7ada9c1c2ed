"""What reviewers write, and how developers answer."""

from demo.data.records import DemoReview

# What a model was used for, by category: the {use} of a review.
USE_CASES = {
    "text_generation": ["drafting support replies", "writing product descriptions", "an internal help bot"],
    "image_generation": ["marketing visuals", "storyboards", "product mock-ups"],
    "code_generation": ["our code review queue", "onboarding new engineers", "cleaning up a legacy codebase"],
    "speech_to_text": ["podcast transcripts", "call-centre recordings", "lecture notes"],
    "text_to_speech": ["audiobook previews", "our IVR menus", "accessibility in our app"],
    "translation": ["our help centre", "app store listings", "customer emails"],
    "summarization": ["daily news briefings", "long customer threads", "board meeting notes"],
    "embeddings": ["semantic search over our docs", "a RAG prototype", "clustering support tickets"],
    "classification": ["moderating comments", "routing support tickets", "triaging survey answers"],
    "multimodal": ["reading invoices", "describing product photos", "answering questions about charts"],
    "other": ["a data-cleaning pipeline", "an internal dashboard", "a weekend side project"],
}

# Reviews by star rating.
REVIEWS = {
    5: [
        DemoReview(
            title="Exactly what we needed",
            text=(
                "We have been using {name} for {use} for a few weeks now. Output quality is excellent and "
                "latency is consistently low."
            ),
        ),
        DemoReview(
            title="Best in its class",
            text=(
                "Tried three alternatives for {use}; {name} was the only one that needed no hand-editing "
                "afterwards."
            ),
        ),
        DemoReview(
            title="Rock solid",
            text="Zero failed calls in a month of {use}. The docs are clear and the pricing is fair.",
        ),
        DemoReview(
            title="A real time saver",
            text="{name} cut the time we spend on {use} roughly in half. Highly recommended.",
        ),
    ],
    4: [
        DemoReview(
            title="Very good, small quirks",
            text=(
                "{name} works well for {use}. Occasionally it is a bit verbose, but nothing a short "
                "instruction can't fix."
            ),
        ),
        DemoReview(
            title="Great value",
            text="Solid results for {use} at a price that makes sense at our volume.",
        ),
        DemoReview(
            title="Reliable workhorse",
            text="Not flashy, but dependable for {use}. Would like a batch endpoint.",
        ),
        DemoReview(
            title="Good quality, fair speed",
            text="Quality is high; response times are a little slower at peak hours.",
        ),
    ],
    3: [
        DemoReview(
            title="Decent but inconsistent",
            text=(
                "Fine for {use} most of the time, but results vary more than we'd like between similar "
                "inputs."
            ),
        ),
        DemoReview(
            title="Okay for simple cases",
            text="{name} handles the easy 80% of {use}; the harder cases still need a human.",
        ),
        DemoReview(
            title="Average",
            text="Does the job for {use}. Nothing stood out either way.",
        ),
    ],
    2: [
        DemoReview(
            title="Too many errors",
            text="We saw frequent timeouts while using {name} for {use}. Support was helpful, though.",
        ),
        DemoReview(
            title="Not ready for production",
            text="Quality dropped noticeably on longer inputs when we tried it for {use}.",
        ),
    ],
    1: [
        DemoReview(
            title="Did not work for us",
            text="Most answers were off-topic for {use}. We switched to another model.",
        ),
        DemoReview(
            title="Disappointing",
            text="Slow and unreliable during our trial for {use}.",
        ),
    ],
}

SPAM_REVIEWS = [
    DemoReview(
        title="CHEAP FOLLOWERS HERE",
        text="Best model!!! Visit my profile for cheap followers and crypto tips.",
    ),
    DemoReview(
        title="Earn $500/day",
        text="Works great. Also, earn $500 a day from home, message me.",
    ),
]

REPLIES = [
    "Thanks for the detailed feedback! We have passed it on to the team.",
    "Sorry about the timeouts — we added capacity last week; please let us know if it happens again.",
    "Glad it helps! A batch endpoint is on our roadmap for next quarter.",
    "Thank you. Could you send us an example input? We'd like to reproduce the issue.",
    "We shipped a fix for long inputs in the latest version; it should behave much better now.",
]
