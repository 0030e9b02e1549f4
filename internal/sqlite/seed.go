package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// SeedSlug is the slug of the campaign SeedCampaign creates.
const SeedSlug = "jackson-vanik"

// seedAsOf is when the seeded cosponsor lists were last confirmed: the
// date of the latest public source they come from (Rep. Miller's press
// release of 2025-11-06 naming the Senate bill's cosponsors). Pages warn
// that this is stale until an organizer imports the Congress.gov list.
var seedAsOf = time.Date(2025, 11, 6, 0, 0, 0, 0, time.UTC)

// Sources the seeded talking points cite. Links point only at stable
// public records; sources with no reliable address are cited by title.
var (
	srcHR5917   = advocacy.Source{Title: "Congress.gov: H.R. 5917, 119th Congress", URL: "https://www.congress.gov/bill/119th-congress/house-bill/5917"}
	srcS3103    = advocacy.Source{Title: "Congress.gov: S. 3103, 119th Congress", URL: "https://www.congress.gov/bill/119th-congress/senate-bill/3103"}
	srcSec402   = advocacy.Source{Title: "Trade Act of 1974, section 402 (19 U.S.C. 2432), Legal Information Institute", URL: "https://www.law.cornell.edu/uscode/text/19/2432"}
	srcHR6156   = advocacy.Source{Title: "Congress.gov: H.R. 6156, 112th Congress (Russia and Moldova Jackson-Vanik Repeal and Sergei Magnitsky Rule of Law Accountability Act of 2012)", URL: "https://www.congress.gov/bill/112th-congress/house-bill/6156"}
	srcGlobMag  = advocacy.Source{Title: "Global Magnitsky Human Rights Accountability Act: Public Law 114-328 (S. 2943, 114th Congress), title XII, subtitle F", URL: "https://www.congress.gov/bill/114th-congress/senate-bill/2943"}
	srcArticle  = advocacy.Source{Title: "Eric Rudenshiold, “Why Congress Hasn’t Repealed the Jackson-Vanik Amendment for Central Asia”, The National Interest, February 15, 2026"}
	srcMiller   = advocacy.Source{Title: "Rep. Carol Miller, press release of November 6, 2025: “Miller, Colleagues Introduce Legislation to Restore Normal Trade Relations with Key Countries”"}
	srcSTR      = advocacy.Source{Title: "STR Trade Report, November 2025 legislative update (H.R. 5917 and S. 3103 introduced November 4)"}
	srcPolicy   = advocacy.Source{Title: "PolicySoup: S. 3103 (119th) bill page (title, referral to Finance, covered countries)"}
	srcSRpt     = advocacy.Source{Title: "Senate Report 112-226 (2012)"}
	srcCongRec  = advocacy.Source{Title: "Congressional Record of December 5, 2012 (H.R. 6156)"}
	seedSummary = "A Cold War trade law still keeps Kazakhstan, Uzbekistan, Tajikistan and Turkmenistan in Central Asia, and Azerbaijan in the South Caucasus, from permanent normal trade with the United States. Two bills before the 119th Congress would let it end, and they need cosponsors."
	seedWhy     = []string{
		"A 1974 trade penalty written for the Soviet Union still covers Kazakhstan, Uzbekistan, Tajikistan, Turkmenistan and Azerbaijan. Their normal trade with the United States is never permanent: it rests on presidential findings, and for Turkmenistan on a waiver renewed every year, that a later administration can withdraw.",
		"Central Asia holds critical minerals, Kazakhstan is the world’s largest uranium producer, and the region lies on a trade route that carries its goods to Europe without passing through Russia or China.",
		"Only Congress can end it: the bills have sponsors from both parties, and they need your own members to sign on.",
	}
)

// seedTalkingPoints are the seeded campaign's arguments, each with the
// sources above that support it.
var seedTalkingPoints = []advocacy.TalkingPoint{
	{
		Audience: advocacy.AudienceConstituents, Title: "One clear ask: put your name on the bill",
		BodyMD: "Ask your representative to **cosponsor H.R. 5917** and your two senators to **cosponsor S. 3103**. " +
			"A cosponsor formally adds their name to a bill. Every new name tells the leaders who schedule votes that the bill has backing.\n\n" +
			"Members listen most closely to the people who can vote for them, so a short, polite message from you counts for more than any campaign from outside your state.",
		Sources: []advocacy.Source{srcHR5917, srcS3103},
	},
	{
		Audience: advocacy.AudienceConstituents, Title: "An old law aimed at a country that no longer exists",
		BodyMD: "The Jackson-Vanik amendment is section 402 of the Trade Act of 1974. It denies normal trade terms to non-market economies that restrict their citizens’ freedom to emigrate, " +
			"and its real target was the Soviet Union, which kept Soviet Jews and others from emigrating.\n\n" +
			"After the Soviet Union broke up in 1991, people left its former republics in very large numbers. " +
			"Yet Kazakhstan, Uzbekistan, Tajikistan, Turkmenistan and Azerbaijan are still covered by the law.",
		Sources: []advocacy.Source{srcSec402, srcArticle},
	},
	{
		Audience: advocacy.AudienceConstituents, Title: "Only Congress can fix it",
		BodyMD: "Today these countries have normal trade terms only on conditions the President can withdraw: findings, kept up through regular reports to Congress, that they meet the law’s emigration rules, and for Turkmenistan a waiver that has to be renewed every year. " +
			"Permanent normal trade relations need a new law, passed by a majority of the House and of the Senate and signed by the President.\n\n" +
			"At his confirmation hearing in January 2025, Secretary of State Marco Rubio described the amendment as a relic and said that permanent trade relations with Central Asia require an act of Congress.",
		Sources: []advocacy.Source{srcArticle},
	},
	{
		Audience: advocacy.AudienceBusiness, Title: "Certainty instead of conditional trade status",
		BodyMD: "Mines, pipelines, power plants and rail links are planned over decades, but the trade status of these countries rests on executive findings and, for Turkmenistan, on a waiver renewed every 12 months. A later administration can withdraw either.\n\n" +
			"The bills let the President find that Title IV of the Trade Act of 1974 no longer applies to a country and then grant its products normal trade relations for good. " +
			"That gives companies and their lenders a stable footing, and lets the United States offer the permanent trade status that firms from competing countries already enjoy.",
		Sources: []advocacy.Source{srcHR5917, srcS3103, srcPolicy},
	},
	{
		Audience: advocacy.AudienceBusiness, Title: "Critical minerals and nuclear fuel",
		BodyMD: "Central Asia has deposits of critical minerals and rare earth elements. " +
			"Kazakhstan mines more uranium than any other country and is a major supplier to the United States.\n\n" +
			"At a 2025 summit between the United States and the presidents of the five Central Asian states, cooperation on critical minerals was named among the priorities.",
		Sources: []advocacy.Source{srcArticle},
	},
	{
		Audience: advocacy.AudienceBusiness, Title: "Supply chains that do not depend on China or Russia",
		BodyMD: "The “Middle Corridor” carries goods from Central Asia across the Caspian Sea, through the South Caucasus and Turkey, and on to Europe.\n\n" +
			"China has already invested heavily in the region, and Russia still holds influence through Soviet-era infrastructure, migrant work and security ties. " +
			"Normal, permanent trade with the United States gives the region, and American companies, another option.",
		Sources: []advocacy.Source{srcArticle},
	},
	{
		Audience: advocacy.AudiencePress, Title: "The story so far: 1974, 2012, 2016",
		BodyMD: "- **1974:** Congress passes the Trade Act. Its section 402, named after Sen. Henry M. Jackson and Rep. Charles Vanik, ties “most-favored-nation” trade status to freedom to emigrate.\n" +
			"- **2012:** Congress releases Russia and Moldova from the law (H.R. 6156) and, in the same act, replaces a country-wide trade penalty with the Magnitsky sanctions on named officials: asset freezes and visa bans.\n" +
			"- **2016:** The Global Magnitsky Human Rights Accountability Act extends such targeted sanctions to human-rights abusers and corrupt officials anywhere in the world.\n\n" +
			"Kazakhstan, Uzbekistan, Tajikistan, Turkmenistan and Azerbaijan were left under the 1974 law, where they remain.",
		Sources: []advocacy.Source{srcSec402, srcHR6156, srcSRpt, srcCongRec, srcGlobMag},
	},
	{
		Audience: advocacy.AudiencePress, Title: "Backed by both parties in both chambers",
		BodyMD: "Both bills were introduced on November 4, 2025. In the House, Rep. Carol D. Miller (R-WV) introduced H.R. 5917 with Rep. Jimmy Panetta (D-CA) as an original cosponsor. " +
			"In the Senate, Sen. Steve Daines (R-MT) introduced S. 3103 with Sen. Chris Murphy (D-CT), and Sens. Jeanne Shaheen (D-NH) and James E. Risch (R-ID) joined them as original cosponsors.\n\n" +
			"Republicans hold majorities in both chambers of the 119th Congress, and the bills have sponsors from both parties in each.",
		Sources: []advocacy.Source{srcMiller, srcSTR, srcHR5917, srcS3103},
	},
	{
		Audience: advocacy.AudiencePress, Title: "What the bills do, precisely",
		BodyMD: "The bills define a “covered country” as any country other than Belarus, Cuba and North Korea. " +
			"For such a country, the President may determine that Title IV of the Trade Act of 1974 no longer applies to it and then proclaim normal trade relations for its products; from then on Title IV no longer applies to that country.\n\n" +
			"The text is general, but its sponsors present it as a measure for Central Asia. In the Senate, S. 3103 was referred to the Committee on Finance.",
		Sources: []advocacy.Source{srcPolicy, srcS3103, srcHR5917},
	},
	{
		Audience: advocacy.AudiencePress, Objection: true, Title: "“Repeal throws away leverage on human rights”",
		BodyMD: "Critics say the law still gives Washington leverage over human rights and labour rights in the region. It is a fair concern, and the campaign’s reply is that the tool does not fit the problem.\n\n" +
			"Jackson-Vanik punishes a whole economy over limits on emigration, a problem that no longer exists there, and the findings and Turkmenistan’s waiver have been kept up for more than twenty years regardless. " +
			"Targeted tools, such as Global Magnitsky sanctions on the officials responsible and steady diplomacy, put pressure where it belongs.",
		Sources: []advocacy.Source{srcGlobMag, srcArticle},
	},
	{
		Audience: advocacy.AudienceConstituents, Objection: true, Title: "“Isn’t this a reward for the region’s governments?”",
		BodyMD: "No. Ending the 1974 penalty changes a trade status; it says nothing in favour of how these countries are governed.\n\n" +
			"Congress took the same path with Russia and Moldova in 2012: it lifted Jackson-Vanik and, at the same time, created sanctions aimed at the individuals who abuse human rights.",
		Sources: []advocacy.Source{srcHR6156, srcGlobMag},
	},
}

// seedBill is a bill to seed with its cosponsors.
type seedBill struct {
	bill       advocacy.Bill
	cosponsors []string // original cosponsors, joined on the day of introduction
}

func seedBills() []seedBill {
	introduced := time.Date(2025, 11, 4, 0, 0, 0, 0, time.UTC)
	return []seedBill{
		{
			bill: advocacy.Bill{
				Chamber: advocacy.House, Congress: 119, Type: advocacy.BillTypeHouse, Number: 5917,
				Title:        "To authorize the extension of nondiscriminatory treatment (normal trade relations treatment) to products of certain countries.",
				SponsorID:    "M001205",
				IntroducedOn: introduced,
				Committees:   "Referral not confirmed (earlier Jackson-Vanik bills went to the Committee on Ways and Means)",
				Status:       "Introduced",
				Target:       218,
			},
			cosponsors: []string{"P000613"},
		},
		{
			bill: advocacy.Bill{
				Chamber: advocacy.Senate, Congress: 119, Type: advocacy.BillTypeSenate, Number: 3103,
				Title:        "To authorize the extension of nondiscriminatory treatment (normal trade relations treatment) to products of certain countries.",
				SponsorID:    "D000618",
				IntroducedOn: introduced,
				Committees:   "Committee on Finance",
				Status:       "Introduced",
				Target:       51,
			},
			cosponsors: []string{"M001169", "S001181", "R000584"},
		},
	}
}

// SeedBioguideIDs lists every member the seed names, so tests can check
// them against the reference data.
func SeedBioguideIDs() []string {
	var out []string
	for _, sb := range seedBills() {
		out = append(out, sb.bill.SponsorID)
		out = append(out, sb.cosponsors...)
	}
	return out
}

// SeedCampaign creates the Jackson-Vanik campaign with its bills, original
// cosponsors, talking points and letters, in one transaction. When a
// campaign with the slug already exists it only applies the seed's later
// corrections to text that still reads as seeded (see reviseSeed), so it is
// safe on every start and never overwrites an organizer's edits.
func SeedCampaign(ctx context.Context, db *DB, now time.Time) error {
	if err := seedCampaign(ctx, db, now); err != nil {
		return fmt.Errorf("seed campaign %q: %w", SeedSlug, err)
	}
	return nil
}

func seedCampaign(ctx context.Context, db *DB, now time.Time) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var existing int64
	switch err := tx.QueryRowContext(ctx, "SELECT id FROM campaigns WHERE slug = ?", SeedSlug).Scan(&existing); {
	case err == nil:
		// Seeded before: only corrections to text nobody has edited.
		if _, err := reviseSeed(ctx, tx, existing, now); err != nil {
			return err
		}
		return tx.Commit()
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	why, err := json.Marshal(seedWhy)
	if err != nil {
		return err
	}
	stamp := campaignTime(now)
	res, err := tx.ExecContext(ctx, `INSERT INTO campaigns
		(slug, title, summary, ask, why_json, status, starts_on, ends_on, cwc_campaign_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)`,
		SeedSlug,
		"Repeal Jackson-Vanik for Central Asia",
		seedSummary,
		"Ask your representative to cosponsor H.R. 5917 and your senators to cosponsor S. 3103, so that Congress can end the Jackson-Vanik trade restrictions on Central Asia.",
		string(why),
		now.UTC().Format(advocacy.DateLayout),
		// The bills lapse when the 119th Congress ends.
		"2027-01-03",
		"whipcount-jackson-vanik-119",
		stamp, stamp,
	)
	if err != nil {
		return fmt.Errorf("insert campaign: %w", err)
	}
	campaignID, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for pos, sb := range seedBills() {
		b := sb.bill
		b.ID = advocacy.BillID(b.Type, b.Number, b.Congress)
		if _, err := tx.ExecContext(ctx, `INSERT INTO bills
			(id, chamber, congress, bill_type, number, title, sponsor_bioguide,
			 introduced_on, committees, status, cosponsors_as_of)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, string(b.Chamber), b.Congress, b.Type, b.Number, b.Title, b.SponsorID,
			campaignNullDate(b.IntroducedOn), b.Committees, b.Status, campaignTime(seedAsOf)); err != nil {
			return fmt.Errorf("insert bill %s: %w", b.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_bills
			(campaign_id, bill_id, sort_order, position, goal, target, added_at) VALUES (?, ?, ?, 'support', 'cosponsors', ?, ?)`,
			campaignID, b.ID, pos, b.Target, stamp); err != nil {
			return fmt.Errorf("add bill %s to the campaign: %w", b.ID, err)
		}
		for _, id := range sb.cosponsors {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cosponsors (bill_id, bioguide, joined_on, original)
				VALUES (?, ?, ?, 1)`, b.ID, id, campaignNullDate(b.IntroducedOn)); err != nil {
				return fmt.Errorf("insert cosponsor %s of %s: %w", id, b.ID, err)
			}
		}
	}
	for pos, tp := range seedTalkingPoints {
		sources, err := json.Marshal(tp.Sources)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO talking_points
			(campaign_id, audience, position, title, body_md, sources, is_objection) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			campaignID, string(tp.Audience), pos, tp.Title, tp.BodyMD, string(sources), campaignBool(tp.Objection)); err != nil {
			return fmt.Errorf("insert talking point %q: %w", tp.Title, err)
		}
	}
	exec := func(query string, args ...any) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}
	if err := insertSeedTemplates(ctx, tx, campaignID, exec); err != nil {
		return err
	}
	if err := setSeedRevision(ctx, tx, now); err != nil {
		return err
	}
	return tx.Commit()
}
