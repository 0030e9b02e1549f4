package sqlite

import "github.com/whipcount/whipcount/internal/advocacy"

// seedLetterSign closes every seeded letter; the constituent's own
// paragraph goes just before it.
const seedLetterSign = "\n\nSincerely,\n{{constituent_name}}\n{{constituent_city}}"

// seedWhatItDoes says in one sentence what the bills do, for the letters.
const seedWhatItDoes = "{{bill}} would let the President end the Jackson-Vanik amendment (section 402 of the Trade Act of 1974) " +
	"for the countries it still covers and grant their products permanent normal trade relations."

// seedReasons are the campaign's case in two short paragraphs, shared by
// the seeded letters.
const seedReasons = "Jackson-Vanik was written in 1974 to press the Soviet Union to let its people emigrate. " +
	"That country is long gone, yet the law still covers Kazakhstan, Uzbekistan, Tajikistan and Turkmenistan in Central Asia, and Azerbaijan. " +
	"Their trade with the United States rests on findings and, for Turkmenistan, a yearly waiver that a later administration can withdraw, " +
	"and none of them can be offered permanent normal trade relations while the law applies.\n\n" +
	"Ending it matters here at home. Central Asia holds critical minerals, Kazakhstan is the world’s largest producer of uranium " +
	"and a major supplier to the United States, and the region’s goods can reach Europe without passing through Russia or China. " +
	"Human-rights concerns are better served by targeted tools such as Global Magnitsky sanctions than by a trade penalty " +
	"aimed at an emigration problem that no longer exists."

// seedLetterTemplates are the seeded campaign's letters, one per stance a
// member can have on their chamber's bill. Bill numbers come from the
// {{bill}} merge field, never from the text.
var seedLetterTemplates = []advocacy.LetterTemplate{
	{
		Kind:    advocacy.TemplateAsk,
		Subject: "Please cosponsor {{bill}} to end Jackson-Vanik for Central Asia",
		Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
			"As your constituent in {{constituent_city}}, I ask you to cosponsor {{bill}}. " + seedWhatItDoes + "\n\n" +
			seedReasons + "\n\n" +
			"Only Congress can repeal the law. Please add your name to {{bill}}." + seedLetterSign,
	},
	{
		Kind:    advocacy.TemplateThank,
		Subject: "Thank you for supporting {{bill}} on Jackson-Vanik",
		Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
			"As your constituent in {{constituent_city}}, I want to thank you for supporting {{bill}}. " + seedWhatItDoes + "\n\n" +
			seedReasons + "\n\n" +
			"Please keep asking your colleagues to sign on, so that the bill comes to a vote before this Congress ends." + seedLetterSign,
	},
	{
		Kind:    advocacy.TemplateWithdrew,
		Subject: "Why did you withdraw from {{bill}} on Jackson-Vanik?",
		Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
			"As your constituent in {{constituent_city}}, I noticed that you withdrew as a cosponsor of {{bill}}, and I would like to understand why. " +
			seedWhatItDoes + "\n\n" +
			seedReasons + "\n\n" +
			"I ask you to sign on to {{bill}} again." + seedLetterSign,
	},
}
