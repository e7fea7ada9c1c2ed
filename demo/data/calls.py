"""What people send to the models, and what comes back, by category."""

PROMPTS = {
    "text_generation": [
        "Write a polite reply to a customer asking for a refund.",
        "Give me five taglines for a bike shop.",
        "Explain OAuth to a new engineer in one paragraph.",
    ],
    "image_generation": [
        "A cosy reading nook with rain on the window, warm light",
        "Isometric illustration of a tiny coffee shop",
        "Product shot of a ceramic mug on a walnut table",
    ],
    "code_generation": [
        "def add(a,b):\n  return a+b",
        "Write a SQL query for monthly active users.",
        "Regex for UK postcodes",
    ],
    "speech_to_text": [
        "[audio] weekly-standup-2024-05-14.wav",
        "[audio] customer-call-1183.mp3",
        "[audio] lecture-thermodynamics-03.m4a",
    ],
    "text_to_speech": [
        "Welcome to Riverside Dental. For appointments, press one.",
        "Chapter one. The harbour was quiet that morning.",
        "Your order has shipped.",
    ],
    "translation": [
        "Where is the nearest train station?",
        "Your subscription renews on the first of each month.",
        "Thank you for your patience.",
    ],
    "summarization": [
        "Summarise: The city council met on Tuesday to discuss the new cycling lanes ...",
        "TL;DR this thread about the failed deployment ...",
        "Summarise this quarterly report ...",
    ],
    "embeddings": [
        "how do I reset my password",
        "refund policy for annual plans",
        "postgres connection pooling",
    ],
    "classification": [
        "I love this product, it arrived early!",
        "This is the third time my order is late.",
        "The app is okay I guess.",
    ],
    "multimodal": [
        "[image] invoice-2231.png — what is the total?",
        "[image] chart.png — which region grew fastest?",
        "[image] storefront.jpg — describe it",
    ],
    "other": ["Deduplicate these 3 records ...", "Plot revenue by month", "Where was this photo taken?"],
}

RESPONSES = {
    "text_generation": "Here is a draft you can adapt: thank you for reaching out — we have looked into it and ...",
    "image_generation": "[image] 1024x1024 PNG, seed 4817",
    "code_generation": "def add(a: int, b: int) -> int:\n    return a + b",
    "speech_to_text": "[00:00] Speaker 1: Good morning, everyone. Let's start with the release ...",
    "text_to_speech": "[audio] 12.4 s, 24 kHz, voice 'aria'",
    "translation": "¿Dónde está la estación de tren más cercana?",
    "summarization": "The council approved two new cycling lanes; work starts in spring and costs 1.2 M.",
    "embeddings": "[embedding] 384 floats",
    "classification": '{"label": "positive", "confidence": 0.94}',
    "multimodal": "The invoice total is 1,284.50 EUR, due on 30 June.",
    "other": "Done: 3 records merged into 1.",
}
